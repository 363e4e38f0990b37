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
     *
     * <p><b>Dedupe</b> judges each run at its occurrence: a run's key is seen at its scheduled_for (for
     * run_now and events that is now; for a scheduled run the occurrence itself — not the enqueue, which a
     * window fire makes up to its horizon ahead, and not run_at, which jitter moves at random and a snooze
     * moves on: the occurrence is the same instant whichever node enqueues it). A run is a duplicate when
     * its key was seen less than its dedupe_window before it; the runs of one key in one statement are
     * judged in occurrence order, each against the last one kept ({@code judged}, a recursion over the
     * keyed runs only), so occurrences further apart than the window all run. A duplicate does not move
     * the key's sighting: the ledger keeps the run that holds it (the last one kept) and when it was seen.
     *
     * <p>The ledger rows of the batch's keys are read locked ({@code prior}, FOR UPDATE, in key order, as
     * the upsert takes them, so two enqueues sharing several keys lock them in one order): a racing enqueue
     * on another node that changed a row since this statement began is waited for and its row read as it
     * committed. A row another statement inserted meanwhile is met by the upsert ({@code taken}) instead:
     * this statement's judgement stands only if that holder was seen a full window before its first run of
     * the key, else the racer's holder is kept and every run of the key here is its duplicate. Every key
     * judged comes back from {@code taken} with the run that holds it after the statement, and a skip names
     * its holder — also one of its own batch or of a racing node.
     *
     * <p>A duplicate's history row is written only while its task still wants the run, the same test the
     * claim makes ({@code live}): the task is read locked (FOR SHARE), so a cancel, pause or schedule change
     * that committed after this statement began is seen, and its task gets no row after it answered.
     *
     * <p>Runs without a dedupe_key (dedupe_window null) touch none of this: they pass straight from
     * {@code candidate} to {@code queued}; the keyed CTEs filter them out first.
     */
    /**
     * Whether this statement's judgement of a key may be written over the ledger row the upsert met: the
     * row was read (and locked) by {@code prior}, so the judgement was made against it; or another
     * statement inserted it meanwhile and its holder was seen a full window before this batch's first run
     * of the key, so the judgement made without it is the one it would have given.
     */
    private static final String JUDGEMENT_STANDS = """
            (EXISTS (SELECT 1 FROM prior WHERE prior.key = EXCLUDED.key)
                             OR EXISTS (SELECT 1 FROM keyed k WHERE k.dedupe_key = EXCLUDED.key AND k.n = 1
                                          AND l.seen_at + make_interval(secs => k.dedupe_window) <= k.scheduled_for))""";

    private static final String ENQUEUE = StatusSql.of("""
            WITH RECURSIVE candidate AS MATERIALIZED (
            %s
            ), keyed AS MATERIALIZED (
                SELECT id, task_id, dedupe_key, dedupe_window, scheduled_for,
                       row_number() OVER (PARTITION BY dedupe_key ORDER BY scheduled_for, id) AS n
                  FROM candidate
                 WHERE dedupe_window IS NOT NULL
            ), prior AS (
                SELECT l.key, l.run_id, l.seen_at FROM dedupe_ledger l
                 WHERE l.key IN (SELECT dedupe_key FROM keyed)
                 ORDER BY l.key
                   FOR UPDATE
            ), judged AS (
                SELECT k.dedupe_key, k.n, k.id, v.kept,
                       CASE WHEN v.kept THEN k.id ELSE p.run_id END AS holder,
                       CASE WHEN v.kept THEN k.scheduled_for ELSE p.seen_at END AS held_since
                  FROM keyed k LEFT JOIN prior p ON p.key = k.dedupe_key
                 CROSS JOIN LATERAL (SELECT p.seen_at IS NULL
                                            OR p.seen_at + make_interval(secs => k.dedupe_window) <= k.scheduled_for AS kept) v
                 WHERE k.n = 1
                UNION ALL
                SELECT k.dedupe_key, k.n, k.id, v.kept,
                       CASE WHEN v.kept THEN k.id ELSE j.holder END,
                       CASE WHEN v.kept THEN k.scheduled_for ELSE j.held_since END
                  FROM judged j JOIN keyed k ON k.dedupe_key = j.dedupe_key AND k.n = j.n + 1
                 CROSS JOIN LATERAL (SELECT j.held_since + make_interval(secs => k.dedupe_window) <= k.scheduled_for AS kept) v
            ), last_kept AS (
                SELECT DISTINCT ON (j.dedupe_key) j.dedupe_key, j.id, k.scheduled_for, k.dedupe_window
                  FROM judged j JOIN keyed k ON k.id = j.id
                 WHERE j.kept
                 ORDER BY j.dedupe_key, j.n DESC
            ), taken AS (
                INSERT INTO dedupe_ledger AS l (key, run_id, seen_at, expires_at)
                SELECT dedupe_key, id, scheduled_for, scheduled_for + make_interval(secs => dedupe_window)
                  FROM last_kept
                ON CONFLICT (key) DO UPDATE
                   SET run_id = CASE WHEN {judgement_stands} THEN EXCLUDED.run_id ELSE l.run_id END,
                       seen_at = CASE WHEN {judgement_stands} THEN EXCLUDED.seen_at ELSE l.seen_at END,
                       expires_at = CASE WHEN {judgement_stands} THEN EXCLUDED.expires_at ELSE l.expires_at END
                RETURNING key, run_id
            ), verdict AS (
                SELECT j.id, j.kept AND (t.run_id IS NULL OR t.run_id = lk.id) AS kept,
                       CASE WHEN t.run_id IS NULL OR t.run_id = lk.id THEN j.holder ELSE t.run_id END AS holder
                  FROM judged j LEFT JOIN last_kept lk ON lk.dedupe_key = j.dedupe_key
                  LEFT JOIN taken t ON t.key = j.dedupe_key
            ), queued AS (
                INSERT INTO due_work (id, task_id, scheduled_for, run_at, queue_order, priority, trigger, origin,
                                      overlap_policy, concurrency_key, concurrency_limit, event, active_since)
                SELECT id, task_id, scheduled_for, run_at, run_at + make_interval(secs => (priority - 1) * :aging), priority,
                       trigger, trigger, overlap_policy, concurrency_key, concurrency_limit, event, active_since
                  FROM candidate
                 WHERE dedupe_window IS NULL OR id IN (SELECT id FROM verdict WHERE kept)
                ON CONFLICT ON CONSTRAINT due_work_occurrence_uq DO NOTHING
                RETURNING id, concurrency_key
            ), live AS (
                SELECT t.id, t.status, t.active_since FROM task t
                 WHERE t.id IN (SELECT k.task_id FROM keyed k JOIN verdict v ON v.id = k.id WHERE NOT v.kept)
                   AND :recordDuplicates
                 ORDER BY t.id
                   FOR SHARE
            ), duplicate AS (
                INSERT INTO {task_run:not_run}
                SELECT c.id, c.id, c.task_id, c.scheduled_for, c.trigger, 1, {run:skipped}, CAST(:now AS timestamptz),
                       'skipped (dedupe): dedupe_key ' || regexp_replace(c.dedupe_key, '^agent:[^:]+:', '')
                         || ' was already seen within the last '
                         || c.dedupe_window || ' s (run ' || v.holder || ')',
                       c.event
                  FROM candidate c JOIN verdict v ON v.id = c.id
                  JOIN live t ON t.id = c.task_id
                 WHERE NOT v.kept AND :recordDuplicates AND t.status <> {task:canceled}
                   AND (c.trigger <> 'schedule'
                        OR (t.status = {task:active} AND t.active_since IS NOT DISTINCT FROM c.active_since))
                RETURNING id, trigger
            ), slot AS (
                INSERT INTO concurrency_slot (key)
                SELECT DISTINCT concurrency_key FROM queued WHERE concurrency_key IS NOT NULL
                ON CONFLICT DO NOTHING
            )
            SELECT (SELECT count(*) FROM queued) AS queued, (SELECT count(*) FROM duplicate) AS duplicates,
                   (SELECT count(*) FROM duplicate WHERE trigger = 'event') AS event_duplicates
            """).replace("{judgement_stands}", JUDGEMENT_STANDS);

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
     *
     * <p>A scheduled run is one its schedule queued, in every attempt: its retries waiting for their delay
     * and its reclaims carry trigger retry or reclaim but origin schedule, and go with it. Runs queued by
     * run_now, an event or a retry by request are explicit requests and stay. A row queued before origin
     * existed (null) is judged by its trigger.
     */
    private static final String DROP_QUEUED = StatusSql.of("""
            WITH dropped AS (
                DELETE FROM due_work
                 WHERE task_id = :taskId AND locked_by IS NULL AND (:all OR coalesce(origin, trigger) = 'schedule')
                RETURNING id, task_id, scheduled_for, run_at, trigger, attempt, event
            ), recorded AS (
                INSERT INTO {task_run:not_run}
                SELECT id, id, task_id, scheduled_for, trigger, attempt, {run:canceled}, CAST(:now AS timestamptz), :reason, event
                  FROM dropped
            )
            SELECT trigger, count(*) AS n FROM dropped GROUP BY trigger
            """);

    /**
     * The queued run of the regular occurrence a snooze just moved the task's snoozed run onto (enqueued
     * ahead before the snooze): the two fire once, as the snoozed run, so this one is taken out and
     * recorded skipped with the reason — GET /runs had listed it as queued, with its id. Only a first
     * attempt (trigger schedule): a retry of the occurrence is of a run that already started, which a
     * snooze does not undo.
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
        int dropped = 0;
        for (Map<String, Object> byTrigger : jdbc.sql(DROP_QUEUED)
                .param("taskId", taskId)
                .param("all", !scheduledOnly)
                .param("now", Timestamp.from(clock.instant()))
                .param("reason", reason)
                .query().listOfRows()) {
            long n = ((Number) byTrigger.get("n")).longValue();
            metrics.runsEndedUnstarted(RunStatus.CANCELED.wireName(), (String) byTrigger.get("trigger"), n);
            dropped += (int) n;
        }
        return dropped;
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
        int folded = jdbc.sql(FOLD_QUEUED)
                .param("taskId", taskId)
                .param("occurrence", Timestamp.from(occurrence))
                .param("now", Timestamp.from(clock.instant()))
                .param("reason", "not run: the task's snooze moved its occurrence " + snoozedOccurrence + " to this instant;"
                        + " the two fire once, as the run for " + snoozedOccurrence)
                .query(Integer.class).single();
        metrics.runsEndedUnstarted(RunStatus.SKIPPED.wireName(), "schedule", folded);
        return folded;
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
        int duplicates = ((Number) row.get("duplicates")).intValue();
        int eventDuplicates = ((Number) row.get("event_duplicates")).intValue();
        metrics.enqueued(source, queued);
        // Only scheduled and event runs record their duplicates (run_now is refused instead).
        metrics.runsEndedUnstarted(RunStatus.SKIPPED.wireName(), "event", eventDuplicates);
        metrics.runsEndedUnstarted(RunStatus.SKIPPED.wireName(), "schedule", duplicates - eventDuplicates);
        if (queued > 0) {
            notifications.wakeExecutors();
        }
        return new Counts(queued, duplicates);
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
