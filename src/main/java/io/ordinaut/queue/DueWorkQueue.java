package io.ordinaut.queue;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The run queue table, {@code due_work}: one row per run waiting or executing. Enqueueing is always
 * one statement however many runs it adds; the unique (task_id, scheduled_for) key makes a repeated
 * fire harmless. Every enqueue notifies the executors of every node (LISTEN/NOTIFY, on commit).
 */
@Component
public class DueWorkQueue {

    static final String CHANNEL = "ordinaut_due_work";

    /** All active tasks of one shared schedule get their run for one occurrence. */
    private static final String ENQUEUE_SCHEDULE_OCCURRENCE = """
            INSERT INTO due_work (id, task_id, scheduled_for, run_at, priority, trigger)
            SELECT gen_random_uuid(), t.id, CAST(:occurrence AS timestamptz),
                   CAST(:occurrence AS timestamptz)
                     + make_interval(secs => floor(random() * (t.jitter_seconds + 1)))
                     + make_interval(secs => CASE WHEN t.snoozed_for = CAST(:occurrence AS timestamptz) THEN t.snooze_seconds ELSE 0 END),
                   t.priority, 'schedule'
              FROM task t
             WHERE t.schedule_id = :scheduleId
               AND t.status = 'active'
               AND t.active_since < CAST(:occurrence AS timestamptz)
            ON CONFLICT ON CONSTRAINT due_work_occurrence_uq DO NOTHING
            """;

    private static final String ENQUEUE_TASK_OCCURRENCE = """
            INSERT INTO due_work (id, task_id, scheduled_for, run_at, priority, trigger)
            SELECT gen_random_uuid(), t.id, o.occurrence,
                   o.occurrence
                     + make_interval(secs => floor(random() * (t.jitter_seconds + 1)))
                     + make_interval(secs => CASE WHEN t.snoozed_for = o.occurrence THEN t.snooze_seconds ELSE 0 END),
                   t.priority, 'schedule'
              FROM task t,
                   (SELECT CAST(value AS timestamptz) AS occurrence
                      FROM jsonb_array_elements_text(CAST(:occurrences AS jsonb))) o
             WHERE t.id = :taskId AND t.status = 'active'
            ON CONFLICT ON CONSTRAINT due_work_occurrence_uq DO NOTHING
            """;

    private static final String ENQUEUE_NOW = """
            INSERT INTO due_work (id, task_id, scheduled_for, run_at, priority, trigger)
            SELECT :id, t.id, CAST(:now AS timestamptz), CAST(:now AS timestamptz), t.priority, :trigger FROM task t WHERE t.id = :taskId
            """;

    private static final String NOTIFY = "SELECT pg_notify('" + CHANNEL + "', '')";

    private static final String DROP_QUEUED = """
            DELETE FROM due_work
             WHERE task_id = :taskId AND locked_by IS NULL AND (:all OR trigger = 'schedule')
            """;

    private static final String DELAY_QUEUED = """
            UPDATE due_work SET run_at = run_at + make_interval(secs => :seconds)
             WHERE task_id = :taskId AND scheduled_for = :occurrence AND locked_by IS NULL
            """;

    private static final String EARLIEST_READY = "SELECT min(run_at) FROM due_work WHERE locked_by IS NULL";

    /**
     * Claims up to :limit ready runs. The CTE locks exactly the rows it returns (SKIP LOCKED lets
     * concurrent claimers pass each other), unlike UPDATE … WHERE id IN (SELECT … LIMIT n), which
     * may re-evaluate the sub-select and claim more than n.
     */
    private static final String CLAIM = """
            WITH picked AS (
                SELECT id FROM due_work
                 WHERE locked_by IS NULL AND run_at <= :now
                 ORDER BY priority, run_at
                 LIMIT :limit
                 FOR UPDATE SKIP LOCKED
            )
            UPDATE due_work d
               SET locked_by = :node, locked_until = CAST(:now AS timestamptz) + make_interval(secs => :leaseSeconds)
              FROM picked, task t
             WHERE d.id = picked.id AND t.id = d.task_id
            RETURNING d.id, d.task_id, d.scheduled_for, d.trigger, d.attempt,
                      t.title, t.timezone, CAST(t.payload AS text) AS payload
            """;

    /**
     * Records a batch of finished runs in one statement: releases their queue rows and writes their
     * task_run rows. Only rows this node still holds are released, so a run whose lease was lost
     * (and reclaimed elsewhere) cannot overwrite the other node's result.
     */
    private static final String FINISH = """
            WITH finished AS (
                SELECT * FROM jsonb_to_recordset(CAST(:batch AS jsonb)) AS f(
                    id uuid, task_id uuid, scheduled_for timestamptz, trigger text, attempt int, status text,
                    success boolean, started_at timestamptz, finished_at timestamptz, error text, output jsonb)
            ), released AS (
                DELETE FROM due_work d USING finished f
                 WHERE d.id = f.id AND d.locked_by = :node
                RETURNING d.id
            )
            INSERT INTO task_run (id, task_id, scheduled_for, trigger, attempt, status, success, lease_owner,
                                  started_at, finished_at, error, output)
            SELECT f.id, f.task_id, f.scheduled_for, f.trigger, f.attempt, f.status, f.success, :node,
                   f.started_at, f.finished_at, f.error, f.output
              FROM finished f JOIN released r ON r.id = f.id
            """;

    private final JdbcClient jdbc;

    public DueWorkQueue(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Enqueues one occurrence for every active task of a shared schedule; returns how many runs were added. */
    public int enqueueScheduleOccurrence(UUID scheduleId, Instant occurrence) {
        int added = jdbc.sql(ENQUEUE_SCHEDULE_OCCURRENCE)
                .param("occurrence", Timestamp.from(occurrence))
                .param("scheduleId", scheduleId)
                .update();
        if (added > 0) {
            notifyExecutors();
        }
        return added;
    }

    /** Enqueues the given occurrences for one task (a task joining a schedule whose batch was enqueued ahead). */
    public int enqueueTaskOccurrences(UUID taskId, List<Instant> occurrences) {
        if (occurrences.isEmpty()) {
            return 0;
        }
        String instants = occurrences.stream().map(i -> "\"" + i + "\"").collect(Collectors.joining(",", "[", "]"));
        int added = jdbc.sql(ENQUEUE_TASK_OCCURRENCE)
                .param("taskId", taskId)
                .param("occurrences", instants)
                .update();
        if (added > 0) {
            notifyExecutors();
        }
        return added;
    }

    /** Enqueues a run that starts now (run_now, retry …); returns its run id. */
    public UUID enqueueNow(UUID taskId, String trigger, Instant now) {
        UUID id = UUID.randomUUID();
        jdbc.sql(ENQUEUE_NOW)
                .param("id", id)
                .param("now", Timestamp.from(now))
                .param("trigger", trigger)
                .param("taskId", taskId)
                .update();
        notifyExecutors();
        return id;
    }

    /** Removes a task's runs that no executor holds yet: all of them, or only the scheduled ones. */
    public int dropQueued(UUID taskId, boolean scheduledOnly) {
        return jdbc.sql(DROP_QUEUED).param("taskId", taskId).param("all", !scheduledOnly).update();
    }

    /** Delays an already-enqueued occurrence (snooze after the batch was enqueued ahead). */
    public int delayQueued(UUID taskId, Instant occurrence, int seconds) {
        return jdbc.sql(DELAY_QUEUED)
                .param("taskId", taskId)
                .param("occurrence", Timestamp.from(occurrence))
                .param("seconds", seconds)
                .update();
    }

    Optional<Instant> earliestReadyRunAt() {
        return jdbc.sql(EARLIEST_READY).query(Timestamp.class).optional().map(Timestamp::toInstant);
    }

    List<ClaimedRun> claim(String node, int limit, Instant now, Duration lease) {
        List<ClaimedRun> claimed = new ArrayList<>(limit);
        jdbc.sql(CLAIM)
                .param("now", Timestamp.from(now))
                .param("limit", limit)
                .param("node", node)
                .param("leaseSeconds", lease.toSeconds())
                .query((rs, i) -> claimed.add(new ClaimedRun(
                        rs.getObject("id", UUID.class),
                        rs.getObject("task_id", UUID.class),
                        rs.getTimestamp("scheduled_for").toInstant(),
                        rs.getString("trigger"),
                        rs.getInt("attempt"),
                        rs.getString("title"),
                        rs.getString("timezone"),
                        rs.getString("payload"))))
                .list();
        return claimed;
    }

    /** Writes finished runs; {@code batchJson} is a JSON array of {@link FinishedRun}s; returns rows recorded. */
    int finish(String node, String batchJson) {
        return jdbc.sql(FINISH).param("batch", batchJson).param("node", node).update();
    }

    private void notifyExecutors() {
        jdbc.sql(NOTIFY).query().listOfRows();
    }
}
