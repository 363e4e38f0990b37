package io.ordinaut.queue;

import org.springframework.boot.context.properties.ConfigurationProperties;

import io.ordinaut.config.Setting;

/**
 * ordinaut.executor.*: the pool that drains the run queue on nodes with the executor role.
 *
 * @param threads              runs executed at once on this node (default 64); a pool of its own, never
 *                             Quartz's threads. Claims take at most this many runs minus those held;
 *                             while runs are short (the workers would start them within 5 ms), up to
 *                             claimBatchSize more are claimed ahead, to wait on the node for a worker
 * @param claimBatchSize       most runs claimed by one statement (default 200), and most claimed ahead
 * @param leaseSeconds         how long a claim is held without renewal before another node may reclaim
 *                             the run (default 60), by the database's clock. Running work — and ended
 *                             work whose result is not written yet — renews its leases every third of
 *                             this; expired leases are reclaimed only after a full lease of unbroken
 *                             contact with the database
 * @param pollIntervalMs       longest idle sleep when no wake-up arrives (default 1000); LISTEN/NOTIFY
 *                             and the earliest known run_at normally wake the loop much sooner
 * @param flushIntervalMs      how long finished runs may wait to be written together (default 5)
 * @param flushBatchSize       most finished runs written by one statement (default 500)
 * @param shutdownGraceSeconds on shutdown, how long running work may take to finish (default 30); what
 *                             is still running then is interrupted and recorded as a failed attempt
 *                             (retried only if its task allows retries: a started run is never handed
 *                             to another node); runs claimed but not started are released at once
 * @param heartbeatIntervalMs  how often the node's worker_heartbeat row is written (default 5000); a
 *                             node silent for three intervals is reported as lost
 * @param reapIntervalMs       how often expired leases are looked for (default: a quarter of the lease,
 *                             at most 5000)
 */
@ConfigurationProperties("ordinaut.executor")
public record ExecutorProperties(Integer threads, Integer claimBatchSize, Integer leaseSeconds, Integer pollIntervalMs,
                                 Integer flushIntervalMs, Integer flushBatchSize, Integer shutdownGraceSeconds,
                                 Integer heartbeatIntervalMs, Integer reapIntervalMs) {

    static final int DEFAULT_THREADS = 64;
    static final int DEFAULT_CLAIM_BATCH_SIZE = 200;
    static final int DEFAULT_LEASE_SECONDS = 60;
    static final int DEFAULT_POLL_INTERVAL_MS = 1000;
    static final int DEFAULT_FLUSH_INTERVAL_MS = 5;
    static final int DEFAULT_FLUSH_BATCH_SIZE = 500;
    static final int DEFAULT_SHUTDOWN_GRACE_SECONDS = 30;
    static final int DEFAULT_HEARTBEAT_INTERVAL_MS = 5000;

    public ExecutorProperties {
        threads = atLeast("threads", threads, DEFAULT_THREADS, 1);
        claimBatchSize = atLeast("claim-batch-size", claimBatchSize, DEFAULT_CLAIM_BATCH_SIZE, 1);
        leaseSeconds = atLeast("lease-seconds", leaseSeconds, DEFAULT_LEASE_SECONDS, 1);
        pollIntervalMs = atLeast("poll-interval-ms", pollIntervalMs, DEFAULT_POLL_INTERVAL_MS, 1);
        flushIntervalMs = atLeast("flush-interval-ms", flushIntervalMs, DEFAULT_FLUSH_INTERVAL_MS, 1);
        flushBatchSize = atLeast("flush-batch-size", flushBatchSize, DEFAULT_FLUSH_BATCH_SIZE, 1);
        shutdownGraceSeconds = atLeast("shutdown-grace-seconds", shutdownGraceSeconds, DEFAULT_SHUTDOWN_GRACE_SECONDS, 0);
        heartbeatIntervalMs = atLeast("heartbeat-interval-ms", heartbeatIntervalMs, DEFAULT_HEARTBEAT_INTERVAL_MS, 100);
        reapIntervalMs = atLeast("reap-interval-ms", reapIntervalMs, Math.min(leaseSeconds * 250, 5000), 10);
    }

    /** Defaults for everything; for tools and tests that build a pool by hand. */
    /** A node that is not stopped and has not written its heartbeat for this long (three intervals) is lost. */
    public double lostAfterSeconds() {
        return heartbeatIntervalMs * 3 / 1000.0;
    }

    /** Leases are renewed three times per lease period, so two missed renewals never lose one. */
    long renewIntervalMs() {
        return Math.max(100, leaseSeconds * 1000L / 3);
    }

    private static int atLeast(String name, Integer value, int fallback, int min) {
        return Setting.atLeast("ordinaut.executor." + name, value, fallback, min);
    }
}
