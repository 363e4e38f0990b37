package io.ordinaut.queue;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * ordinaut.executor.*: the pool that drains the run queue.
 *
 * @param threads          runs executed at once on this node (default 8)
 * @param claimBatchSize   most runs claimed by one statement (default 100)
 * @param leaseSeconds     how long a claim is held before another node may take the run (default 60)
 * @param pollIntervalMs   longest idle sleep when no wake-up arrives (default 1000); LISTEN/NOTIFY
 *                         and the earliest known run_at normally wake the loop much sooner
 * @param flushIntervalMs  how long finished runs may wait to be written together (default 5)
 * @param flushBatchSize   most finished runs written by one statement (default 500)
 */
@ConfigurationProperties("ordinaut.executor")
public record ExecutorProperties(Integer threads, Integer claimBatchSize, Integer leaseSeconds, Integer pollIntervalMs,
                                 Integer flushIntervalMs, Integer flushBatchSize) {

    public ExecutorProperties {
        threads = positive("threads", threads, 8);
        claimBatchSize = positive("claim-batch-size", claimBatchSize, 100);
        leaseSeconds = positive("lease-seconds", leaseSeconds, 60);
        pollIntervalMs = positive("poll-interval-ms", pollIntervalMs, 1000);
        flushIntervalMs = positive("flush-interval-ms", flushIntervalMs, 5);
        flushBatchSize = positive("flush-batch-size", flushBatchSize, 500);
    }

    private static int positive(String name, Integer value, int fallback) {
        if (value == null) {
            return fallback;
        }
        if (value < 1) {
            throw new IllegalArgumentException("ordinaut.executor." + name + " must be at least 1 (got " + value + ")");
        }
        return value;
    }
}
