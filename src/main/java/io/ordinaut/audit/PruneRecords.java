package io.ordinaut.audit;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.ordinaut.BackgroundLoop;

/**
 * Retention for the records beside run history: audit rows, tokens that no longer work, and
 * missed-occurrence records, each past its ordinaut.retention.* age, and the wrong-secret counts of client
 * addresses that have not failed for a day, in batches of short transactions.
 * Runs on every node; two nodes deleting the same old rows merely find fewer to delete.
 */
@Component
class PruneRecords implements SmartLifecycle, Runnable {

    private static final Logger log = LoggerFactory.getLogger(PruneRecords.class);

    private static final String PRUNE_AUDIT = """
            DELETE FROM audit_log WHERE id IN (
                SELECT id FROM audit_log WHERE at < :cutoff ORDER BY at LIMIT :batch)
            """;
    /** Bootstrap tokens have no expiry and stay until revoked; live tokens are never touched. */
    private static final String PRUNE_TOKENS = """
            DELETE FROM agent_token WHERE token_hash IN (
                SELECT token_hash FROM agent_token WHERE COALESCE(revoked_at, expires_at) < :cutoff
                 ORDER BY COALESCE(revoked_at, expires_at) LIMIT :batch)
            """;
    /**
     * A count idle this long is forgotten: its lockout (at most 15 min) is long over, and the next wrong secret
     * from that address starts again from one. Counts for agent ids that are no agent's end only this way.
     */
    static final Duration CREDENTIAL_FAILURES_KEPT = Duration.ofDays(1);
    private static final String PRUNE_CREDENTIAL_FAILURES = """
            DELETE FROM credential_failure WHERE (agent_id, client_address) IN (
                SELECT agent_id, client_address FROM credential_failure WHERE last_failed_at < :cutoff
                 ORDER BY last_failed_at LIMIT :batch)
            """;
    private static final String PRUNE_MISSED = """
            DELETE FROM missed_occurrence WHERE id IN (
                SELECT id FROM missed_occurrence WHERE recorded_at < :cutoff ORDER BY recorded_at LIMIT :batch)
            """;

    private final JdbcClient jdbc;
    private final Clock clock;
    private final RetentionProperties retention;
    private final BackgroundLoop guard = new BackgroundLoop("ordinaut-record-retention");
    private ScheduledExecutorService timer;

    PruneRecords(JdbcClient jdbc, Clock clock, RetentionProperties retention) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.retention = retention;
    }

    /** One round; never throws, since a task that throws is never run again by a scheduled executor. */
    @Override
    public void run() {
        guard.tick(this::prune);
    }

    /** How many rounds failed (each was logged; the next round tries again). */
    long failures() {
        return guard.failures();
    }

    private void prune() {
        Instant now = clock.instant();
        long audit = prune(PRUNE_AUDIT, now.minus(retention.auditLog()));
        long tokens = prune(PRUNE_TOKENS, now.minus(retention.tokens()));
        long missed = prune(PRUNE_MISSED, now.minus(retention.missedOccurrences()));
        long failures = prune(PRUNE_CREDENTIAL_FAILURES, now.minus(CREDENTIAL_FAILURES_KEPT));
        if (audit > 0 || tokens > 0 || missed > 0) {
            log.info("Retention: deleted {} audit rows older than {}, {} tokens ended before {} ago, {} missed-occurrence records older than {}",
                    audit, retention.auditLog(), tokens, retention.tokens(), missed, retention.missedOccurrences());
        }
        if (failures > 0) {
            log.debug("Retention: forgot the wrong-secret counts of {} agent id and address pairs idle for {}", failures,
                    CREDENTIAL_FAILURES_KEPT);
        }
    }

    private long prune(String sql, Instant cutoff) {
        long total = 0;
        int deleted;
        do {
            deleted = jdbc.sql(sql).param("cutoff", Timestamp.from(cutoff)).param("batch", retention.batchSize()).update();
            total += deleted;
        } while (deleted == retention.batchSize());
        return total;
    }

    @Override
    public synchronized void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "ordinaut-record-retention");
            thread.setDaemon(true);
            return thread;
        });
        long interval = retention.interval().toMillis();
        timer.scheduleWithFixedDelay(this, interval, interval, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdown();
            timer = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return timer != null;
    }
}
