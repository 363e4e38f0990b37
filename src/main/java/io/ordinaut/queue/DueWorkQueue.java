package io.ordinaut.queue;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.ordinaut.metrics.OrdinautMetrics;

/**
 * The run queue table, {@code due_work}: one row per run waiting or executing. Enqueueing is always
 * one statement however many runs it adds, and that statement also applies dedupe (a run whose task's
 * dedupe_key was seen within dedupe_window_seconds is recorded as skipped instead of queued) and creates
 * the concurrency_key slot rows the claims lock. The unique (task_id, scheduled_for) key makes a
 * repeated fire harmless. Every enqueue notifies the executors of every node (LISTEN/NOTIFY, on commit).
 */
@Component
public class DueWorkQueue {


    /** The prefix of a dedupe_key or concurrency_key shared by every agent; only admins may set one. */
    public static final String GLOBAL_KEY_PREFIX = "global:";

    /**
     * Turns candidate runs ({@code id, task_id, scheduled_for, run_at, trigger, event} and the task's
     * {@link #TASK_COLUMNS}) into queue rows.
     * The dedupe ledger row of a key is taken only when its last sighting is older than the new run's
     * window; ON CONFLICT makes that atomic across nodes. DISTINCT ON keeps one candidate per key, so
     * two tasks (or two occurrences) sharing a key in one batch are a duplicate of each other, not an error.
     *
     * <p>Every key comes back from {@code taken} with the run that holds it after the statement — a key
     * whose window has not passed is rewritten unchanged for that — and a skip names that run. Reading
     * dedupe_ledger instead would see neither a holder this statement wrote (the winner of its own batch)
     * nor one another statement committed since this one began (a racing enqueue on another node), and
     * would name no run or an earlier one.
     */
    private static final String ENQUEUE = StatusSql.of("""
            WITH candidate AS MATERIALIZED (
            %s
            ), taken AS (
                INSERT INTO dedupe_ledger AS l (key, run_id, seen_at, expires_at)
                SELECT DISTINCT ON (dedupe_key) dedupe_key, id, CAST(:now AS timestamptz),
                       CAST(:now AS timestamptz) + make_interval(secs => dedupe_window)
                  FROM candidate
                 WHERE dedupe_window IS NOT NULL
                 ORDER BY dedupe_key, scheduled_for, id
                ON CONFLICT (key) DO UPDATE
                   SET run_id = CASE WHEN l.seen_at + (EXCLUDED.expires_at - EXCLUDED.seen_at) <= EXCLUDED.seen_at
                                     THEN EXCLUDED.run_id ELSE l.run_id END,
                       seen_at = CASE WHEN l.seen_at + (EXCLUDED.expires_at - EXCLUDED.seen_at) <= EXCLUDED.seen_at
                                      THEN EXCLUDED.seen_at ELSE l.seen_at END,
                       expires_at = CASE WHEN l.seen_at + (EXCLUDED.expires_at - EXCLUDED.seen_at) <= EXCLUDED.seen_at
                                         THEN EXCLUDED.expires_at ELSE l.expires_at END
                RETURNING key, run_id
            ), queued AS (
                INSERT INTO due_work (id, task_id, scheduled_for, run_at, queue_order, priority, trigger, overlap_policy,
                                      concurrency_key, concurrency_limit, event, active_since)
                SELECT id, task_id, scheduled_for, run_at, run_at + make_interval(secs => (priority - 1) * :aging), priority,
                       trigger, overlap_policy, concurrency_key, concurrency_limit, event, active_since
                  FROM candidate
                 WHERE dedupe_window IS NULL OR id IN (SELECT run_id FROM taken)
                ON CONFLICT ON CONSTRAINT due_work_occurrence_uq DO NOTHING
                RETURNING id, concurrency_key
            ), duplicate AS (
                INSERT INTO {task_run:not_run}
                SELECT c.id, c.id, c.task_id, c.scheduled_for, c.trigger, 1, {run:skipped}, CAST(:now AS timestamptz),
                       'skipped (dedupe): dedupe_key ' || regexp_replace(c.dedupe_key, '^agent:[^:]+:', '')
                         || ' was already seen within the last '
                         || c.dedupe_window || ' s (run ' || h.run_id || ')',
                       c.event
                  FROM candidate c JOIN taken h ON h.key = c.dedupe_key
                 WHERE c.dedupe_window IS NOT NULL AND c.id NOT IN (SELECT run_id FROM taken) AND :recordDuplicates
                RETURNING id
            ), slot AS (
                INSERT INTO concurrency_slot (key)
                SELECT DISTINCT concurrency_key FROM queued WHERE concurrency_key IS NOT NULL
                ON CONFLICT DO NOTHING
            )
            SELECT (SELECT count(*) FROM queued) AS queued, (SELECT count(*) FROM duplicate) AS duplicates
            """);

    /**
     * Keys are stored scoped to the task's owner ({@code agent:<created_by>:<key>}), so one agent's
     * dedupe_key or concurrency_key can never skip or block another agent's runs; a key an admin wrote as
     * {@code global:<name>} is shared across agents as written. The task keeps the key its user gave.
     */
    static String scopedKey(String column) {
        return "CASE WHEN %1$s LIKE '%2$s%%' THEN %1$s ELSE 'agent:' || t.created_by || ':' || %1$s END"
                .formatted(column, GLOBAL_KEY_PREFIX);
    }

    /**
     * What the queue copies from the task; every candidate source selects these from {@code task t}.
     * active_since records the task's active period, which the claim compares with the task's current one.
     */
    private static final String TASK_COLUMNS = """
            t.priority, t.overlap_policy, %s AS concurrency_key, t.concurrency_limit, %s AS dedupe_key, t.active_since,
                   CASE WHEN t.dedupe_key IS NOT NULL AND t.dedupe_window_seconds > 0 THEN t.dedupe_window_seconds END AS dedupe_window"""
            .formatted(scopedKey("t.concurrency_key"), scopedKey("t.dedupe_key"));

    /**
     * Leaves out the regular occurrence a task's snooze moved its snoozed run onto: the two fire once, as
     * the snoozed run (scheduled_for its own occurrence, run_at the instant both share). Enqueuing both
     * would run the task twice at that instant (overlap allow) or skip one of them against the other,
     * which was only due (overlap skip). A snooze landing between occurrences leaves out nothing.
     */
    private static String notSnoozeLanding(String occurrence) {
        return "(t.snoozed_for IS NULL OR %1$s <> t.snoozed_for + make_interval(secs => t.snooze_seconds))".formatted(occurrence);
    }

    /**
     * When a task's run for an occurrence is due: the occurrence, plus the task's jitter, plus its snooze
     * when the snooze is of this occurrence.
     */
    private static String runAt(String occurrence) {
        return """
                %1$s
                     + make_interval(secs => floor(random() * (t.jitter_seconds + 1)))
                     + make_interval(secs => CASE WHEN t.snoozed_for = %1$s THEN t.snooze_seconds ELSE 0 END)""".formatted(occurrence);
    }

    /** All active tasks of one shared schedule get their run for one occurrence. */
    private static final String SCHEDULE_OCCURRENCE = ENQUEUE.formatted(StatusSql.of("""
            SELECT gen_random_uuid() AS id, t.id AS task_id, CAST(:occurrence AS timestamptz) AS scheduled_for,
                   %s AS run_at,
                   'schedule' AS trigger, CAST(NULL AS jsonb) AS event, %s
              FROM task t
             WHERE t.schedule_id = :scheduleId
               AND t.status = {task:active}
               AND t.active_since < CAST(:occurrence AS timestamptz)
               AND %s""").formatted(runAt("CAST(:occurrence AS timestamptz)"), TASK_COLUMNS, notSnoozeLanding("CAST(:occurrence AS timestamptz)")));

    /** All active tasks of several shared schedules get their runs for the listed occurrences (a window fire). */
    private static final String SCHEDULE_OCCURRENCES = ENQUEUE.formatted(StatusSql.of("""
            SELECT gen_random_uuid() AS id, t.id AS task_id, o.occurrence AS scheduled_for,
                   %s AS run_at,
                   'schedule' AS trigger, CAST(NULL AS jsonb) AS event, %s
              FROM json_to_recordset(CAST(:occurrences AS json)) AS o(schedule_id uuid, occurrence timestamptz)
              JOIN task t ON t.schedule_id = o.schedule_id
             WHERE t.status = {task:active}
               AND t.active_since < o.occurrence
               AND %s""").formatted(runAt("o.occurrence"), TASK_COLUMNS, notSnoozeLanding("o.occurrence")));

    private static final String TASK_OCCURRENCES = ENQUEUE.formatted(StatusSql.of("""
            SELECT gen_random_uuid() AS id, t.id AS task_id, o.occurrence AS scheduled_for,
                   %s AS run_at,
                   'schedule' AS trigger, CAST(NULL AS jsonb) AS event, %s
              FROM task t,
                   (SELECT CAST(value AS timestamptz) AS occurrence
                      FROM jsonb_array_elements_text(CAST(:occurrences AS jsonb))) o
             WHERE t.id IN (:taskIds) AND t.status = {task:active} AND %s""").formatted(runAt("o.occurrence"), TASK_COLUMNS, notSnoozeLanding("o.occurrence")));

    /**
     * Joining tasks get a run for each occurrence their shared schedule already enqueued ahead (its ledger
     * rows after the task's active_since), at most {@code :cap} per task.
     */
    private static final String ENQUEUED_AHEAD = ENQUEUE.formatted(StatusSql.of("""
            SELECT gen_random_uuid() AS id, t.id AS task_id, o.occurrence AS scheduled_for,
                   %s AS run_at,
                   'schedule' AS trigger, CAST(NULL AS jsonb) AS event, %s
              FROM task t
              CROSS JOIN LATERAL (SELECT occurrence FROM schedule_occurrence
                                   WHERE schedule_id = t.schedule_id AND occurrence > t.active_since AND outcome = 'enqueued'
                                   ORDER BY occurrence LIMIT :cap) o
             WHERE t.id IN (:taskIds) AND t.status = {task:active} AND %s""").formatted(runAt("o.occurrence"), TASK_COLUMNS, notSnoozeLanding("o.occurrence")));

    /**
     * A task gets its run for one occurrence its shared schedule already enqueued ahead (its ledger says so),
     * if it has none: the occurrence a snooze had moved the task's snoozed run onto, once a later snooze
     * moved that run on again. An occurrence the schedule has not enqueued yet gets its run when it is.
     */
    private static final String ENQUEUED_OCCURRENCE = ENQUEUE.formatted(StatusSql.of("""
            SELECT gen_random_uuid() AS id, t.id AS task_id, o.occurrence AS scheduled_for,
                   %s AS run_at,
                   'schedule' AS trigger, CAST(NULL AS jsonb) AS event, %s
              FROM task t
              JOIN schedule_occurrence o ON o.schedule_id = t.schedule_id AND o.occurrence = CAST(:occurrence AS timestamptz)
                                        AND o.outcome = 'enqueued'
             WHERE t.id = :taskId AND t.status = {task:active} AND t.active_since < o.occurrence
               AND %s""").formatted(runAt("o.occurrence"), TASK_COLUMNS, notSnoozeLanding("o.occurrence")));

    private static final String NOW = ENQUEUE.formatted("""
            SELECT CAST(:id AS uuid) AS id, t.id AS task_id, CAST(:now AS timestamptz) AS scheduled_for,
                   CAST(:now AS timestamptz) AS run_at, CAST(:trigger AS text) AS trigger, CAST(NULL AS jsonb) AS event, %s
              FROM task t WHERE t.id = :taskId""".formatted(TASK_COLUMNS));

    /**
     * One run per given task; an event task's dedupe_key may be a template the event package rendered.
     * The rendered key is scoped to the task's owner like any key; it is cluster-wide only when the task's
     * own (admin-set) key is, so an event's payload can never make a key global.
     */
    private static final String EVENT = ENQUEUE.formatted(StatusSql.of("""
            SELECT r.id, t.id AS task_id, CAST(:now AS timestamptz) AS scheduled_for,
                   CAST(:now AS timestamptz) AS run_at, 'event' AS trigger, CAST(:event AS jsonb) AS event,
                   t.priority, t.overlap_policy, %s AS concurrency_key, t.concurrency_limit,
                   CASE WHEN t.dedupe_key LIKE '%s%%' THEN r.dedupe_key
                        ELSE 'agent:' || t.created_by || ':' || r.dedupe_key END AS dedupe_key, t.active_since,
                   CASE WHEN r.dedupe_key IS NOT NULL AND t.dedupe_window_seconds > 0 THEN t.dedupe_window_seconds END AS dedupe_window
              FROM json_to_recordset(CAST(:runs AS json)) AS r(id uuid, task_id uuid, dedupe_key text)
              JOIN task t ON t.id = r.task_id
             WHERE t.status = {task:active}""").formatted(scopedKey("t.concurrency_key"), GLOBAL_KEY_PREFIX));

    private static final String DEDUPE_HOLDER = """
            SELECT l.run_id FROM dedupe_ledger l JOIN task t ON l.key = %s WHERE t.id = :taskId
            """.formatted(scopedKey("t.dedupe_key"));

    /**
     * Queued runs of a task that will not run after all, each recorded as canceled with the reason — those
     * enqueued ahead and not yet due too: GET /runs listed them as queued, with their ids, and the out-stream
     * carried their run.queued, so each must end in a record, not vanish (and a retry waiting for its
     * delay is an attempt of a run that began long ago).
     */
    private static final String DROP_QUEUED = StatusSql.of("""
            WITH dropped AS (
                DELETE FROM due_work
                 WHERE task_id = :taskId AND locked_by IS NULL AND (:all OR trigger = 'schedule')
                RETURNING id, task_id, scheduled_for, run_at, trigger, attempt, event
            ), recorded AS (
                INSERT INTO {task_run:not_run}
                SELECT id, id, task_id, scheduled_for, trigger, attempt, {run:canceled}, CAST(:now AS timestamptz), :reason, event
                  FROM dropped
            )
            SELECT count(*) FROM dropped
            """);

    /**
     * The queued run of the regular occurrence a snooze just moved the task's snoozed run onto (enqueued
     * ahead before the snooze): the two fire once, as the snoozed run, so this one is taken out and
     * recorded skipped with the reason — GET /runs had listed it as queued, with its id.
     */
    private static final String FOLD_QUEUED = StatusSql.of("""
            WITH folded AS (
                DELETE FROM due_work
                 WHERE task_id = :taskId AND scheduled_for = :occurrence AND trigger = 'schedule' AND locked_by IS NULL
                RETURNING id, task_id, scheduled_for, trigger, attempt, event
            ), recorded AS (
                INSERT INTO {task_run:not_run}
                SELECT id, id, task_id, scheduled_for, trigger, attempt, {run:skipped}, CAST(:now AS timestamptz), :reason, event
                  FROM folded
            )
            SELECT count(*) FROM folded
            """);

    private static final String DELAY_QUEUED = """
            UPDATE due_work SET run_at = run_at + make_interval(secs => :seconds),
                                queue_order = queue_order + make_interval(secs => :seconds)
             WHERE task_id = :taskId AND scheduled_for = :occurrence AND locked_by IS NULL
            """;

    private final JdbcClient jdbc;
    private final Notifications notifications;
    private final Clock clock;
    private final long agingSeconds;
    private final OrdinautMetrics metrics;

    /** A queue whose enqueues are not measured (tests). */
    public DueWorkQueue(JdbcClient jdbc, Clock clock, RunProperties runs) {
        this(jdbc, clock, runs, OrdinautMetrics.none());
    }

    @Autowired
    public DueWorkQueue(JdbcClient jdbc, Clock clock, RunProperties runs, OrdinautMetrics metrics) {
        this.metrics = metrics;
        this.jdbc = jdbc;
        this.notifications = new Notifications(jdbc);
        this.clock = clock;
        this.agingSeconds = runs.agingSeconds();
    }

    /** Enqueues one occurrence for every active task of a shared schedule; returns how many runs were queued. */
    public int enqueueScheduleOccurrence(UUID scheduleId, Instant occurrence) {
        Counts counts = run(jdbc.sql(SCHEDULE_OCCURRENCE)
                .param("occurrence", Timestamp.from(occurrence))
                .param("scheduleId", scheduleId), clock.instant(), true, "schedule");
        return counts.queued();
    }

    /**
     * Enqueues the runs of several shared schedules' occurrences with one statement.
     *
     * @param occurrencesJson a JSON array of {@code {"schedule_id": uuid, "occurrence": instant}}
     * @return how many runs were queued
     */
    public int enqueueScheduleOccurrences(String occurrencesJson) {
        return enqueueScheduleOccurrences(occurrencesJson, "window");
    }

    /** {@link #enqueueScheduleOccurrences(String)}, measured under another enqueue_batch_size source tag. */
    public int enqueueScheduleOccurrences(String occurrencesJson, String source) {
        return run(jdbc.sql(SCHEDULE_OCCURRENCES).param("occurrences", occurrencesJson), clock.instant(), true, source).queued();
    }

    /** Enqueues the given occurrences for one task (a task joining a schedule whose batch was enqueued ahead). */
    public int enqueueTaskOccurrences(UUID taskId, List<Instant> occurrences) {
        return enqueueTasksOccurrences(List.of(taskId), occurrences);
    }

    /** Enqueues the given occurrences for each of several tasks, with one statement (tasks of a batch joining one schedule). */
    public int enqueueTasksOccurrences(List<UUID> taskIds, List<Instant> occurrences) {
        if (occurrences.isEmpty() || taskIds.isEmpty()) {
            return 0;
        }
        String instants = occurrences.stream().map(i -> "\"" + i + "\"").collect(Collectors.joining(",", "[", "]"));
        return run(jdbc.sql(TASK_OCCURRENCES).param("taskIds", taskIds).param("occurrences", instants), clock.instant(), true, "task_join")
                .queued();
    }

    /**
     * Enqueues, for tasks that just joined their shared schedules (attached, the schedules locked against
     * fires), the occurrences those schedules already enqueued ahead after each task's active_since, at most
     * {@code cap} per task — one statement however many tasks and schedules.
     */
    public int enqueueEnqueuedAhead(List<UUID> taskIds, int cap) {
        if (taskIds.isEmpty()) {
            return 0;
        }
        return run(jdbc.sql(ENQUEUED_AHEAD).param("taskIds", taskIds).param("cap", cap), clock.instant(), true, "task_join").queued();
    }

    /**
     * Enqueues a run that starts now (run_now …); returns its run id.
     *
     * @throws DuplicateRunException when the task's dedupe_key was seen within its dedupe window: nothing
     *                               is queued, and the exception names the run that holds the key
     */
    public UUID enqueueNow(UUID taskId, String trigger, Instant now) {
        UUID id = UUID.randomUUID();
        Counts counts = run(jdbc.sql(NOW).param("id", id).param("trigger", trigger).param("taskId", taskId), now, false, "now");
        if (counts.queued() == 1) {
            return id;
        }
        Optional<UUID> holder = jdbc.sql(DEDUPE_HOLDER).param("taskId", taskId).query(UUID.class).optional();
        if (holder.isEmpty()) {
            throw new IllegalStateException("Run " + id + " of task " + taskId + " was neither queued nor a duplicate");
        }
        throw new DuplicateRunException(taskId, holder.get());
    }

    /**
     * Enqueues one run per task for an event (trigger {@code event}); the event ({@code id}, {@code topic},
     * {@code payload}, {@code published_at}) reaches the pipeline as {@code event}. Duplicates are recorded
     * as skipped.
     *
     * @param runsJson a JSON array of {@code {id, task_id, dedupe_key}}: the run id to use and the task's
     *                 dedupe key for this event (null: the run is not deduplicated)
     * @return how many runs were queued
     */
    public int enqueueEvent(String runsJson, String eventJson, Instant now) {
        return run(jdbc.sql(EVENT).param("runs", runsJson).param("event", eventJson), now, true, "event").queued();
    }

    /**
     * Removes a task's runs that no executor holds yet: all of them, or only the scheduled ones.
     *
     * @return how many runs were removed (only the due ones are recorded canceled)
     */
    public int dropQueued(UUID taskId, boolean scheduledOnly, String reason) {
        RunStatus.QUEUED.to(RunStatus.CANCELED);
        return jdbc.sql(DROP_QUEUED)
                .param("taskId", taskId)
                .param("all", !scheduledOnly)
                .param("now", Timestamp.from(clock.instant()))
                .param("reason", reason)
                .query(Integer.class).single();
    }

    /** Delays an already-enqueued occurrence (snooze after the batch was enqueued ahead). */
    public int delayQueued(UUID taskId, Instant occurrence, int seconds) {
        return jdbc.sql(DELAY_QUEUED)
                .param("taskId", taskId)
                .param("occurrence", Timestamp.from(occurrence))
                .param("seconds", seconds)
                .update();
    }

    /**
     * Folds a task's queued run for {@code occurrence} — a regular occurrence its snooze moved the snoozed
     * run of {@code snoozedOccurrence} onto — into that snoozed run: it is taken out of the queue and
     * recorded skipped, with the reason. Runs enqueued later for it are left out by the enqueue itself.
     *
     * @return how many runs were folded (0 or 1)
     */
    public int foldIntoSnoozedRun(UUID taskId, Instant occurrence, Instant snoozedOccurrence) {
        RunStatus.QUEUED.to(RunStatus.SKIPPED);
        return jdbc.sql(FOLD_QUEUED)
                .param("taskId", taskId)
                .param("occurrence", Timestamp.from(occurrence))
                .param("now", Timestamp.from(clock.instant()))
                .param("reason", "not run: the task's snooze moved its occurrence " + snoozedOccurrence + " to this instant;"
                        + " the two fire once, as the run for " + snoozedOccurrence)
                .query(Integer.class).single();
    }

    /**
     * Enqueues a task's run for one occurrence its shared schedule already enqueued ahead, unless the task
     * has one (an occurrence a snooze no longer moves the snoozed run onto); nothing when the schedule has
     * not enqueued it yet.
     */
    public int enqueueEnqueuedOccurrence(UUID taskId, Instant occurrence) {
        return run(jdbc.sql(ENQUEUED_OCCURRENCE).param("taskId", taskId).param("occurrence", Timestamp.from(occurrence)),
                clock.instant(), true, "task_join").queued();
    }

    /** @param source the enqueue_batch_size metric's tag */
    private Counts run(JdbcClient.StatementSpec statement, Instant now, boolean recordDuplicates, String source) {
        Map<String, Object> row = statement
                .param("now", Timestamp.from(now))
                .param("aging", agingSeconds)
                .param("recordDuplicates", recordDuplicates)
                .query().singleRow();
        int queued = ((Number) row.get("queued")).intValue();
        metrics.enqueued(source, queued);
        if (queued > 0) {
            notifications.wakeExecutors();
        }
        return new Counts(queued, ((Number) row.get("duplicates")).intValue());
    }

    private record Counts(int queued, int duplicates) {
    }

    /** A run was not queued because its task's dedupe_key was seen within the dedupe window. */
    public static final class DuplicateRunException extends RuntimeException {

        private final UUID taskId;
        private final UUID existingRunId;

        DuplicateRunException(UUID taskId, UUID existingRunId) {
            super("Task " + taskId + ": a run with its dedupe_key was already queued within the dedupe window (run "
                    + existingRunId + ")");
            this.taskId = taskId;
            this.existingRunId = existingRunId;
        }

        public UUID taskId() {
            return taskId;
        }

        public UUID existingRunId() {
            return existingRunId;
        }
    }
}
