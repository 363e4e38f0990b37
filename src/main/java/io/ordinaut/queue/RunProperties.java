package io.ordinaut.queue;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

import io.ordinaut.config.Setting;

/**
 * ordinaut.runs.*: how runs are retried, timed out, ordered and kept.
 *
 * @param retryBase          backoff base (default 5s): exponential_jitter waits a random time up to
 *                           base × 2^(attempt−1), linear base × attempt, fixed base
 * @param retryCap           longest backoff of any strategy (default 15m)
 * @param defaultRunTimeout  how long a run may take when its task sets no run_timeout_seconds (default 15m)
 * @param priorityAging      how much waiting is worth one priority level (default 60s). A run's place in
 *                           line is run_at + (priority − 1) × this, so priority 1 goes first among runs
 *                           due at about the same time, and a waiting run of priority p is never
 *                           overtaken by runs that became due more than (p − 1) × this after it
 * @param retention          finished runs older than this are deleted (default 30d)
 * @param pruneInterval      how often the retention duty runs (default 1m)
 * @param pruneBatchSize     most history rows deleted by one statement (default 5000)
 */
@ConfigurationProperties("ordinaut.runs")
public record RunProperties(Duration retryBase, Duration retryCap, Duration defaultRunTimeout, Duration priorityAging,
                            Duration retention, Duration pruneInterval, Integer pruneBatchSize) {

    static final Duration DEFAULT_RETRY_BASE = Duration.ofSeconds(5);
    static final Duration DEFAULT_RETRY_CAP = Duration.ofMinutes(15);
    static final Duration DEFAULT_RUN_TIMEOUT = Duration.ofMinutes(15);
    static final Duration DEFAULT_PRIORITY_AGING = Duration.ofSeconds(60);
    static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
    static final Duration DEFAULT_PRUNE_INTERVAL = Duration.ofMinutes(1);
    static final int DEFAULT_PRUNE_BATCH_SIZE = 5000;

    public RunProperties {
        retryBase = positive("retry-base", retryBase, DEFAULT_RETRY_BASE);
        retryCap = positive("retry-cap", retryCap, DEFAULT_RETRY_CAP);
        if (retryCap.compareTo(retryBase) < 0) {
            throw Setting.invalid("ordinaut.runs.retry-cap", retryCap, "a duration of at least ordinaut.runs.retry-base ("
                    + Setting.text(retryBase) + ")");
        }
        defaultRunTimeout = positive("default-run-timeout", defaultRunTimeout, DEFAULT_RUN_TIMEOUT);
        priorityAging = positive("priority-aging", priorityAging, DEFAULT_PRIORITY_AGING);
        retention = positive("retention", retention, DEFAULT_RETENTION);
        pruneInterval = positive("prune-interval", pruneInterval, DEFAULT_PRUNE_INTERVAL);
        pruneBatchSize = Setting.atLeast("ordinaut.runs.prune-batch-size", pruneBatchSize, DEFAULT_PRUNE_BATCH_SIZE, 1);
    }

    public static RunProperties defaults() {
        return new RunProperties(null, null, null, null, null, null, null);
    }

    /** Priority aging in whole seconds, as the queue SQL uses it. */
    long agingSeconds() {
        return Math.max(1, priorityAging.toSeconds());
    }

    private static Duration positive(String name, Duration value, Duration fallback) {
        return Setting.positive("ordinaut.runs." + name, value, fallback);
    }
}
