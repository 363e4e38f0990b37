package io.ordinaut.queue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ordinaut.metrics.OrdinautMetrics;

/**
 * Times one of the executor's batched statements — claim, finish (recording ended attempts), renew (lease
 * renewal) — into {@code ordinaut.queue.statement.duration}, and warns when one was slow. Each takes
 * milliseconds; one that takes a second holds up the node's whole queue, since each runs on one thread
 * (docs/operations.md, "Slow queue statements"). A stretch of slow statements is one warning a minute,
 * with how many there were.
 */
final class StatementTimer {

    private static final Logger log = LoggerFactory.getLogger(StatementTimer.class);
    private static final Duration SLOW = Duration.ofSeconds(1);
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final String statement;
    private final OrdinautMetrics metrics;
    private final long slowNanos;
    private long lastWarnedAt;
    private boolean warned;
    private int slowSinceWarning;

    StatementTimer(String statement, OrdinautMetrics metrics) {
        this(statement, metrics, SLOW);
    }

    StatementTimer(String statement, OrdinautMetrics metrics, Duration slow) {
        this.statement = statement;
        this.metrics = metrics;
        this.slowNanos = slow.toNanos();
    }

    /**
     * Runs {@code work}, the statement for {@code runs} runs (for a claim: how many it asks for), and records how long it took, failed or not. Only a
     * statement that succeeded is reported slow: one that failed (a database outage, a lost connection) is
     * reported by its caller, and its time says nothing about the queue.
     */
    <T> T time(int runs, Supplier<T> work) {
        long start = System.nanoTime();
        boolean succeeded = false;
        try {
            T result = work.get();
            succeeded = true;
            return result;
        } finally {
            long nanos = System.nanoTime() - start;
            metrics.queueStatement(statement, nanos);
            if (succeeded && nanos >= slowNanos) {
                slow(runs, nanos);
            }
        }
    }

    private synchronized void slow(int runs, long nanos) {
        slowSinceWarning++;
        long now = System.nanoTime();
        if (warned && now - lastWarnedAt < WARN_EVERY_NANOS) {
            return;
        }
        log.warn("A {} statement for {} runs took {} ms; {} {} statement(s) took {} ms or more since this node's last such warning."
                        + " The node's queue waits for them: look for lock waits, a long transaction holding back vacuum, or a bad plan"
                        + " (docs/operations.md, \"Slow queue statements\")",
                statement, runs, TimeUnit.NANOSECONDS.toMillis(nanos), slowSinceWarning, statement,
                TimeUnit.NANOSECONDS.toMillis(slowNanos));
        warned = true;
        lastWarnedAt = now;
        slowSinceWarning = 0;
    }
}
