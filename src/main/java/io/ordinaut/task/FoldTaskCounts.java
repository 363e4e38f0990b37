package io.ordinaut.task;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.ordinaut.queue.PeriodicDuty;

/**
 * Folds the delta rows of {@code task_count} (one per statement that changed tasks, 024-task-paging) into
 * one row per (status, schedule_kind, created_by), every {@link #INTERVAL_MS}, on every node: a total of
 * GET /tasks then sums a few rows however many tasks were created since. The fold is one statement, so a
 * total read at any moment sees the deltas or their sum, never both or neither; an advisory lock keeps
 * two nodes from folding at once (they would wait on each other's deleted rows, or deadlock).
 */
@Component
class FoldTaskCounts extends PeriodicDuty {

    private static final Logger log = LoggerFactory.getLogger(FoldTaskCounts.class);
    /** Deltas pile up by one row per creating statement and group between folds; ten seconds keeps them few. */
    static final long INTERVAL_MS = 10_000;

    private static final String FOLD = """
            WITH turn AS (SELECT pg_try_advisory_xact_lock(hashtextextended('ordinaut:task_count_fold', 0)) AS mine),
                 spread AS (SELECT status, schedule_kind, created_by FROM task_count GROUP BY 1, 2, 3 HAVING count(*) > 1),
                 folded AS (
                     DELETE FROM task_count c USING spread s
                      WHERE (SELECT mine FROM turn)
                        AND c.status = s.status AND c.schedule_kind = s.schedule_kind AND c.created_by = s.created_by
                     RETURNING c.status, c.schedule_kind, c.created_by, c.n)
            INSERT INTO task_count (status, schedule_kind, created_by, n)
            SELECT status, schedule_kind, created_by, sum(n) FROM folded GROUP BY 1, 2, 3 HAVING sum(n) <> 0
            """;

    private final JdbcClient jdbc;

    FoldTaskCounts(JdbcClient jdbc) {
        super("ordinaut-task-count-fold", INTERVAL_MS);
        this.jdbc = jdbc;
    }

    /** One fold; returns the groups written. */
    int fold() {
        int groups = jdbc.sql(FOLD).update();
        log.trace("Folded the task counts of {} groups", groups);
        return groups;
    }

    @Override
    protected void round() {
        fold();
    }
}
