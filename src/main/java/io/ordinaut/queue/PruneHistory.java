package io.ordinaut.queue;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Retention: deletes finished runs older than ordinaut.runs.retention in batches (each its own short
 * transaction), expired dedupe ledger entries, heartbeats of workers gone for a day, and queued runs
 * whose task was deleted. The queue table itself needs no pruning: finished runs leave it at once.
 */
final class PruneHistory implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(PruneHistory.class);

    private static final String PRUNE_RUNS = """
            DELETE FROM task_run WHERE id IN (
                SELECT id FROM task_run WHERE created_at < :cutoff ORDER BY created_at LIMIT :batch)
            """;
    private static final String PRUNE_DEDUPE = """
            DELETE FROM dedupe_ledger WHERE key IN (
                SELECT key FROM dedupe_ledger WHERE expires_at < :now ORDER BY expires_at LIMIT :batch)
            """;
    private static final String PRUNE_WORKERS = "DELETE FROM worker_heartbeat WHERE last_seen < now() - interval '1 day'";
    /** due_work has no foreign key to task (see 003-run-queue.sql): queued runs of a deleted task go here. */
    private static final String PRUNE_ORPHANS = """
            DELETE FROM due_work d WHERE locked_by IS NULL AND NOT EXISTS (SELECT 1 FROM task t WHERE t.id = d.task_id)
            """;

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Duration retention;
    private final int batch;

    PruneHistory(JdbcClient jdbc, Clock clock, Duration retention, int batch) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.retention = retention;
        this.batch = batch;
    }

    @Override
    public void run() {
        Instant now = clock.instant();
        Timestamp cutoff = Timestamp.from(now.minus(retention));
        long runs = 0;
        int deleted;
        do {
            deleted = jdbc.sql(PRUNE_RUNS).param("cutoff", cutoff).param("batch", batch).update();
            runs += deleted;
        } while (deleted == batch);
        int keys = jdbc.sql(PRUNE_DEDUPE).param("now", Timestamp.from(now)).param("batch", batch).update();
        int workers = jdbc.sql(PRUNE_WORKERS).update();
        int orphans = jdbc.sql(PRUNE_ORPHANS).update();
        if (runs > 0 || keys > 0 || workers > 0 || orphans > 0) {
            log.info("Retention: deleted {} runs older than {}, {} expired dedupe keys, {} old worker heartbeats, {} queued runs of deleted tasks",
                    runs, retention, keys, workers, orphans);
        }
    }
}
