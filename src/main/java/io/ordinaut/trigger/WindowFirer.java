package io.ordinaut.trigger;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import io.ordinaut.metrics.OrdinautMetrics;
import io.ordinaut.queue.DueWorkQueue;
import io.ordinaut.queue.StatusSql;
import io.ordinaut.schedule.Schedule;
import io.ordinaut.schedule.ScheduleDefinition;
import io.ordinaut.schedule.ScheduleKind;
import io.ordinaut.schedule.Schedules;

/**
 * What one fire of a window trigger does ({@code ordinaut.trigger.mode=windows}): take its group's
 * schedules whose {@code next_fire_at} falls before now + horizon, compute each one's occurrences up to
 * there with the compiled schedule (the preview's code), claim them in the ledger, enqueue every active
 * task's run for each with its exact run_at, and advance {@code next_fire_at} — each step one statement
 * for a whole batch of schedules, in one transaction per batch.
 *
 * <p>The schedule rows are locked (FOR UPDATE, in id order — the order task changes lock them), so a
 * fire serialises with tasks joining and leaving exactly as a per-schedule fire does; the ledger keeps a
 * repeated or concurrent fire from enqueuing an occurrence twice.
 *
 * <p><b>Backlog or outage.</b> Occurrences are normally enqueued {@code horizon - window} or more ahead.
 * One a fire finds already past is backlog (a late fire, a big batch before it) and is enqueued as usual.
 * Only when the oldest of them is more than {@code outage-threshold} past — so no node enqueued it for
 * {@code horizon - window + outage-threshold} — is it an outage, and the misfire rule applies as in
 * per-schedule firing: the latest past occurrence within misfire_grace_seconds runs once as the catch-up;
 * the other past ones — those nobody enqueued, and the runs enqueued ahead before the outage that no
 * executor took (still queued, unclaimed) — are recorded in missed_occurrence, coalesced into the
 * catch-up when within the grace, missed when older; each such run taken out of the queue also gets its
 * own history row, skipped with the reason. So after an outage a task runs once, for its latest missed
 * occurrence, however many of the missed ones had been enqueued ahead.
 */
@Component
class WindowFirer {

    private static final Logger log = LoggerFactory.getLogger(WindowFirer.class);
    /** Occurrences computed per schedule and batch; a longer outage continues in the next batch. */
    static final int OCCURRENCE_CAP = 10_000;
    private static final int CACHE_LIMIT = 100_000;

    /**
     * The batch is chosen through the next_fire_at index (earliest first) and then locked in id order. As
     * one "WHERE due ORDER BY id LIMIT" the generic plan PostgreSQL settles on after a few fires walked the
     * primary key and filtered: a read of every schedule per fire, seconds with a million registered
     * (docs/benchmarks.md, "Scale (session 3)"). The due conditions are repeated outside so that a row
     * another fire advanced while this one waited for its lock is rechecked and left out.
     */
    static final String DUE = """
            SELECT id, kind, expr, timezone, anchor, start_at, end_at, misfire_grace_seconds, next_fire_at, finished
              FROM schedule
             WHERE id IN (SELECT id FROM schedule
                           WHERE next_fire_at < :until AND fire_bucket % :groups = :group AND (NOT finished OR next_fire_at <= :now)
                           ORDER BY next_fire_at
                           LIMIT :limit)
               AND next_fire_at < :until AND (NOT finished OR next_fire_at <= :now)
             ORDER BY id
               FOR UPDATE
            """;

    private static final String CLAIM = """
            INSERT INTO schedule_occurrence (schedule_id, occurrence, outcome)
            SELECT schedule_id, occurrence, 'enqueued'
              FROM json_to_recordset(CAST(:occurrences AS json)) AS o(schedule_id uuid, occurrence timestamptz)
            ON CONFLICT DO NOTHING
            RETURNING schedule_id, occurrence
            """;

    private static final String ADVANCE = """
            UPDATE schedule s SET next_fire_at = a.next_fire_at, finished = a.finished,
                                  enqueued_through = greatest(s.enqueued_through, a.enqueued_through)
              FROM json_to_recordset(CAST(:advances AS json)) AS a(id uuid, next_fire_at timestamptz, finished boolean,
                                                                    enqueued_through timestamptz)
             WHERE s.id = a.id
            """;

    private static final String PRUNE_LEDGER = """
            DELETE FROM schedule_occurrence o
             USING schedule s
             WHERE o.schedule_id = s.id
               AND s.id IN (SELECT CAST(value AS uuid) FROM jsonb_array_elements_text(CAST(:ids AS jsonb)))
               AND o.occurrence < CAST(:now AS timestamptz) - make_interval(secs => greatest(s.misfire_grace_seconds, :onTime))
                                  - make_interval(secs => :margin)
            """;

    private static final String RECORD_MISSED = StatusSql.of("""
            INSERT INTO missed_occurrence (task_id, first_missed, last_missed, missed_count, caught_up_for, reason)
            SELECT t.id, m.first_missed, m.last_missed, m.missed_count, m.caught_up_for, m.reason
              FROM json_to_recordset(CAST(:missed AS json)) AS m(schedule_id uuid, first_missed timestamptz,
                       last_missed timestamptz, missed_count integer, caught_up_for timestamptz, reason text)
              JOIN task t ON t.schedule_id = m.schedule_id
             WHERE t.status = {task:active} AND t.active_since < m.first_missed
            """);

    private static final String DELETE_SCHEDULES = "DELETE FROM schedule WHERE id = ANY (CAST(:ids AS uuid[]))";

    /**
     * The runs of schedules in an outage that were enqueued ahead before it and that no executor took:
     * removed from the queue and returned, so the misfire rule folds them into the one catch-up (each is
     * recorded by {@link #RECORD_FOLDED} once the catch-up is queued). Only first attempts: a retry of an
     * occurrence that ran stays.
     *
     * <p>A snoozed run folded so has used its snooze up: the task's snooze is cleared. Left in place, it
     * would keep the regular occurrence the run was delayed onto from being enqueued for the task (the
     * snoozed run stands for it, see DueWorkQueue), and the task would get no run there — not even as the
     * catch-up, which the fire enqueues after this statement.
     */
    private static final String FOLD_QUEUED = """
            WITH folded AS (
                DELETE FROM due_work d USING task t
                 WHERE t.id = d.task_id
                   AND t.schedule_id IN (SELECT CAST(value AS uuid) FROM jsonb_array_elements_text(CAST(:ids AS jsonb)))
                   AND d.trigger = 'schedule' AND d.locked_by IS NULL AND d.attempt = 1 AND d.scheduled_for < :now
                RETURNING d.id, d.task_id, t.schedule_id, d.scheduled_for, d.attempt
            ), unsnoozed AS (
                UPDATE task t SET snoozed_for = NULL, snooze_seconds = NULL
                  FROM folded f
                 WHERE t.id = f.task_id AND t.snoozed_for = f.scheduled_for
            )
            SELECT id, task_id, schedule_id, scheduled_for, attempt FROM folded
            """;

    /**
     * A history row for each folded run, skipped (queued → skipped, as an overlap or dedupe skip), with the
     * reason: coalesced into the catch-up run, named by its id, or missed beyond the grace. GET /runs had
     * listed these runs as queued with their ids (and the out-stream their run.queued), so each must end
     * in a record, as runs dropped by a pause or cancel do, not vanish. The catch-up is looked for in the
     * queue, or in the history when its enqueue recorded it skipped (a dedupe); scheduled runs carry no event.
     */
    private static final String RECORD_FOLDED = StatusSql.of("""
            INSERT INTO {task_run:not_run}
            SELECT f.id, f.id, f.task_id, f.scheduled_for, 'schedule', f.attempt, {run:skipped}, CAST(:now AS timestamptz),
                   CASE WHEN f.caught_up_for IS NULL
                        THEN 'not run: missed while no scheduler was up, older than misfire_grace_seconds when the scheduler recovered'
                        ELSE 'not run: coalesced into the catch-up run ' || coalesce(CAST(c.run_id AS text) || ' ', '')
                             || '(for ' || f.caught_up_for || ') after the scheduler recovered from an outage'
                   END,
                   NULL
              FROM json_to_recordset(CAST(:folded AS json)) AS f(id uuid, task_id uuid, scheduled_for timestamptz, attempt int,
                                                                  caught_up_for text)
              LEFT JOIN LATERAL (
                    SELECT d.id AS run_id FROM due_work d
                     WHERE d.task_id = f.task_id AND d.scheduled_for = CAST(f.caught_up_for AS timestamptz)
                    UNION ALL
                    SELECT r.run_id FROM task_run r
                     WHERE r.task_id = f.task_id AND r.scheduled_for = CAST(f.caught_up_for AS timestamptz) AND r.trigger = 'schedule'
                    LIMIT 1) c ON true
            """);

    private final JdbcClient jdbc;
    private final DueWorkQueue queue;
    private final Clock clock;
    private final ScheduleEndListener scheduleEnd;
    private final TriggerProperties properties;
    private final TransactionTemplate transactions;
    private final OrdinautMetrics metrics;
    private final WindowHold hold;
    private final Map<UUID, Schedule> compiled = new ConcurrentHashMap<>();

    WindowFirer(JdbcClient jdbc, DueWorkQueue queue, Clock clock, ScheduleEndListener scheduleEnd, TriggerProperties properties,
                PlatformTransactionManager transactionManager, OrdinautMetrics metrics, WindowHold hold) {
        this.metrics = metrics;
        this.hold = hold;
        this.jdbc = jdbc;
        this.queue = queue;
        this.clock = clock;
        this.scheduleEnd = scheduleEnd;
        this.properties = properties;
        this.transactions = new TransactionTemplate(transactionManager);
    }

    /**
     * One fire of group {@code group}'s window trigger: batches until none of its schedules is due within the
     * horizon. Each batch first reads the cluster's standby flag share-locked ({@link WindowHold#clusterStandby}):
     * Quartz's standby lets a fire already running finish, so a fire that started before a standby command
     * stops at its next batch, and the command answers only after the batch in progress committed.
     */
    Result fire(int group) {
        return fire(group, () -> !hold.clusterStandby());
    }

    /**
     * {@link #fire(int)} that asks {@code proceed} first in each batch's transaction, before the batch locks
     * or enqueues anything, and ends the fire at the first false (the start-up pass, once the cluster is
     * put in standby: see {@link FiringMode#catchUp}).
     */
    Result fire(int group, BooleanSupplier proceed) {
        int schedules = 0;
        int runs = 0;
        while (true) {
            Result batch = transactions.execute(status -> proceed.getAsBoolean() ? fireBatch(group) : null);
            if (batch == null) {
                return new Result(schedules, runs);
            }
            schedules += batch.schedules();
            runs += batch.runs();
            if (batch.schedules() < properties.batchSize()) {
                return new Result(schedules, runs);
            }
        }
    }

    private Result fireBatch(int group) {
        Instant now = clock.instant();
        Instant until = now.plus(properties.horizon());
        List<Due> due = jdbc.sql(DUE)
                .param("until", Timestamp.from(until))
                .param("now", Timestamp.from(now))
                .param("groups", properties.groups())
                .param("group", group)
                .param("limit", properties.batchSize())
                .query(this::due)
                .list();
        return handle(due, now, until);
    }

    /**
     * What a new schedule's creation does in windows mode, computed before its row exists (it depends on
     * the schedule, the clock and the horizon only): the occurrences inside the horizon its first tasks get
     * enqueued at once, and the next_fire_at, finished and enqueued_through its row is inserted with — so
     * the insert needs no ADVANCE after it.
     *
     * @param fires asked only when there is something to enqueue: whether the schedule's window group fires
     *              now ({@link WindowHold.Check#fires}); when it does not, nothing is enqueued and the row
     *              keeps its first occurrence as next_fire_at
     */
    Plan planStart(UUID scheduleId, Schedule schedule, int misfireGraceSeconds, Instant since, BooleanSupplier fires) {
        Instant now = clock.instant();
        Instant endAt = schedule.definition().endAt();
        Instant startAt = schedule.definition().startAt();
        // From when the tasks are on it, not from now: an occurrence between the task's creation and this
        // moment (a slow request) is due to it and enqueued late rather than lost.
        Instant from = startAt != null && startAt.minusMillis(1).isAfter(since) ? startAt.minusMillis(1) : since;
        Optional<Instant> first = schedule.nextAfter(from).filter(i -> endAt == null || !i.isAfter(endAt));
        if (first.isEmpty()) {
            return new Plan(List.of(), List.of(), now, true, false);
        }
        Plan plan = plan(new Due(scheduleId, schedule, endAt, misfireGraceSeconds, first.get(), false), now, now.plus(properties.horizon()),
                List.of());
        if (plan.enqueue().isEmpty() || fires.getAsBoolean()) {
            return plan;
        }
        // Its window group does not fire now (cluster standby, paused trigger): enqueuing here would fire it
        // anyway. The schedule waits at its first occurrence, and the group's first fire once firing resumes
        // takes it from there like any of its schedules — backlog, or an outage under the misfire rule.
        log.debug("Schedule {} created while its window group does not fire: its first occurrence {} waits for the window fires",
                scheduleId, first.get());
        return new Plan(List.of(), List.of(), first.get(), false, false);
    }

    /**
     * A new schedule's first tasks joined it (in the caller's transaction; the schedule row was inserted
     * with {@code plan}'s next_fire_at, so no fire handles it before the commit; the tasks are attached):
     * claims the plan's occurrences in the ledger and enqueues the tasks' runs for them.
     */
    void start(UUID scheduleId, List<UUID> taskIds, Schedule schedule, Plan plan) {
        compiled.put(scheduleId, schedule);
        if (!plan.enqueue().isEmpty()) {
            ArrayNode occurrences = JsonNodeFactory.instance.arrayNode();
            plan.enqueue().forEach(o -> occurrences.add(pair(scheduleId, o)));
            jdbc.sql(CLAIM).param("occurrences", occurrences.toString()).query().listOfRows();
            queue.enqueueTasksOccurrences(taskIds, plan.enqueue());
        }
    }

    /**
     * {@link #start} for many new schedules at once (a batch create): one ledger claim and one enqueue for
     * all of them, each schedule's occurrences for the tasks attached to it.
     */
    void startAll(Map<UUID, Schedule> schedules, Map<UUID, Plan> plans) {
        ArrayNode occurrences = JsonNodeFactory.instance.arrayNode();
        plans.forEach((id, plan) -> plan.enqueue().forEach(o -> occurrences.add(pair(id, o))));
        if (compiled.size() + schedules.size() >= CACHE_LIMIT) {
            compiled.clear();
        }
        compiled.putAll(schedules);
        if (!occurrences.isEmpty()) {
            String json = occurrences.toString();
            jdbc.sql(CLAIM).param("occurrences", json).query().listOfRows();
            queue.enqueueScheduleOccurrences(json, "task_join");
        }
    }

    private Result handle(List<Due> due, Instant now, Instant until) {
        if (due.isEmpty()) {
            return new Result(0, 0);
        }
        ArrayNode occurrences = JsonNodeFactory.instance.arrayNode();
        ArrayNode advances = JsonNodeFactory.instance.arrayNode();
        ArrayNode missed = JsonNodeFactory.instance.arrayNode();
        ArrayNode ids = JsonNodeFactory.instance.arrayNode();
        List<UUID> ended = new ArrayList<>();
        Map<UUID, Plan> plans = new HashMap<>();
        ArrayNode outages = JsonNodeFactory.instance.arrayNode();
        for (Due d : due) {
            if (!d.finished()) {
                Plan plan = plan(d, now, until, List.of());
                plans.put(d.id(), plan);
                if (plan.outage()) {
                    outages.add(d.id().toString());
                }
            }
        }
        List<Folded> foldedRuns = List.of();
        if (!outages.isEmpty()) {
            // Runs enqueued ahead before the outage and never taken join the missed occurrences.
            foldedRuns = jdbc.sql(FOLD_QUEUED).param("ids", outages.toString()).param("now", Timestamp.from(now))
                    .query((rs, i) -> new Folded(rs.getObject("id", UUID.class), rs.getObject("task_id", UUID.class),
                            rs.getObject("schedule_id", UUID.class), rs.getTimestamp("scheduled_for").toInstant(), rs.getInt("attempt")))
                    .list();
            Map<UUID, List<Instant>> folded = foldedRuns.stream()
                    .collect(Collectors.groupingBy(Folded::scheduleId, Collectors.mapping(Folded::scheduledFor, Collectors.toList())));
            for (Due d : due) {
                if (folded.containsKey(d.id())) {
                    plans.put(d.id(), plan(d, now, until, folded.get(d.id())));
                }
            }
        }
        for (Due d : due) {
            ids.add(d.id().toString());
            if (d.finished()) {
                if (!d.nextFireAt().isAfter(now)) {
                    ended.add(d.id());
                }
                continue;
            }
            Plan plan = plans.get(d.id());
            if (plan.outage()) {
                log.info("Schedule {}: occurrences missed while no scheduler was up: {} coalesced into the catch-up, {} dropped",
                        d.id(), plan.missed().stream().filter(m -> m.caughtUpFor() != null).mapToInt(m -> m.occurrences().size()).sum(),
                        plan.missed().stream().filter(m -> m.caughtUpFor() == null).mapToInt(m -> m.occurrences().size()).sum());
            }
            for (Instant o : plan.enqueue()) {
                occurrences.add(pair(d.id(), o));
            }
            for (Missed m : plan.missed()) {
                ObjectNode row = missed.addObject();
                row.put("schedule_id", d.id().toString());
                row.put("first_missed", m.occurrences().get(0).toString());
                row.put("last_missed", m.occurrences().get(m.occurrences().size() - 1).toString());
                row.put("missed_count", m.occurrences().size());
                row.put("caught_up_for", m.caughtUpFor() == null ? null : m.caughtUpFor().toString());
                row.put("reason", m.reason());
                metrics.misfires(m.caughtUpFor() != null, m.occurrences().size());
            }
            ObjectNode advance = advances.addObject();
            advance.put("id", d.id().toString());
            advance.put("next_fire_at", plan.nextFireAt().toString());
            advance.put("finished", plan.finished());
            advance.put("enqueued_through", plan.enqueue().isEmpty() ? null : plan.enqueue().get(plan.enqueue().size() - 1).toString());
        }
        int runs = 0;
        if (!occurrences.isEmpty()) {
            List<ObjectNode> claimed = jdbc.sql(CLAIM).param("occurrences", occurrences.toString())
                    .query((rs, i) -> pair(rs.getObject(1, UUID.class), rs.getTimestamp(2).toInstant()))
                    .list();
            if (!claimed.isEmpty()) {
                ArrayNode toEnqueue = JsonNodeFactory.instance.arrayNode();
                toEnqueue.addAll(claimed);
                runs = queue.enqueueScheduleOccurrences(toEnqueue.toString());
            }
        }
        if (!foldedRuns.isEmpty()) {
            recordFolded(foldedRuns, plans, now);
        }
        if (!missed.isEmpty()) {
            jdbc.sql(RECORD_MISSED).param("missed", missed.toString()).update();
        }
        if (!advances.isEmpty()) {
            jdbc.sql(ADVANCE).param("advances", advances.toString()).update();
        }
        jdbc.sql(PRUNE_LEDGER)
                .param("ids", ids.toString())
                .param("now", Timestamp.from(now))
                .param("onTime", OccurrenceEnqueuer.ON_TIME.toSeconds())
                .param("margin", OccurrenceEnqueuer.LEDGER_MARGIN.toSeconds())
                .update();
        if (!ended.isEmpty()) {
            // Set-based: after a burst of once schedules this fire ends thousands of them while the
            // executors claim their runs; two statements instead of two per schedule.
            int completed = scheduleEnd.schedulesEnded(ended, now);
            int deleted = jdbc.sql(DELETE_SCHEDULES)
                    .param("ids", ended.stream().map(UUID::toString).collect(Collectors.joining(",", "{", "}")))
                    .update();
            if (deleted != ended.size()) {
                throw new IllegalStateException(ended.size() + " ended schedules (first " + ended.get(0)
                        + "), locked by this fire, deleted as " + deleted + " rows");
            }
            ended.forEach(compiled::remove);
            if (ended.size() == 1) {
                log.info("Schedule {} has no further occurrences: {} tasks completed", ended.get(0), completed);
            } else {
                log.info("{} schedules have no further occurrences (first {}): {} tasks completed", ended.size(), ended.get(0), completed);
            }
        }
        log.trace("Window fire: {} schedules, {} occurrences, {} runs enqueued", due.size(), occurrences.size(), runs);
        return new Result(due.size(), runs);
    }

    /** Records each folded run, after the catch-up runs are queued so that the record can name the task's one. */
    private void recordFolded(List<Folded> foldedRuns, Map<UUID, Plan> plans, Instant now) {
        ArrayNode rows = JsonNodeFactory.instance.arrayNode();
        for (Folded f : foldedRuns) {
            // A schedule's missed occurrences are the expired ones, then those coalesced into its catch-up
            // (each list in order): a folded run from the first coalesced one on was coalesced.
            Missed coalesced = plans.get(f.scheduleId()).missed().stream().filter(m -> m.caughtUpFor() != null).findFirst().orElse(null);
            Instant caughtUpFor = coalesced != null && !f.scheduledFor().isBefore(coalesced.occurrences().get(0)) ? coalesced.caughtUpFor() : null;
            ObjectNode row = rows.addObject();
            row.put("id", f.id().toString());
            row.put("task_id", f.taskId().toString());
            row.put("scheduled_for", f.scheduledFor().toString());
            row.put("attempt", f.attempt());
            row.put("caught_up_for", caughtUpFor == null ? null : caughtUpFor.toString());
        }
        int recorded = jdbc.sql(RECORD_FOLDED).param("folded", rows.toString()).param("now", Timestamp.from(now)).update();
        if (recorded != foldedRuns.size()) {
            throw new IllegalStateException(foldedRuns.size() + " runs folded into catch-ups (first " + foldedRuns.get(0).id()
                    + ") recorded as " + recorded + " rows");
        }
        metrics.runsEndedUnstarted("skipped", "schedule", recorded);
    }

    /**
     * The occurrences of one schedule from its next_fire_at up to the horizon, and what becomes of each.
     *
     * @param folded runs of the schedule enqueued ahead before an outage and never taken (removed from the
     *               queue): past occurrences the misfire rule counts with the ones nobody enqueued
     */
    Plan plan(Due d, Instant now, Instant until, List<Instant> folded) {
        Schedule schedule = d.schedule();
        List<Instant> found = new ArrayList<>();
        Optional<Instant> next = schedule.nextAfter(d.nextFireAt().minus(1, ChronoUnit.MICROS)).filter(d::withinEnd);
        while (next.isPresent() && next.get().isBefore(until) && found.size() < OCCURRENCE_CAP) {
            found.add(next.get());
            next = schedule.nextAfter(next.get()).filter(d::withinEnd);
        }
        boolean finished = next.isEmpty();
        Instant nextFireAt = next.orElse(found.isEmpty() ? now : found.get(found.size() - 1));
        List<Instant> unenqueued = found.stream().filter(o -> o.isBefore(now)).toList();
        boolean outage = !unenqueued.isEmpty() && unenqueued.get(0).isBefore(now.minus(properties.outageThreshold()));
        if (!outage) {
            return new Plan(found, List.of(), nextFireAt, finished, false);
        }
        // The folded runs all precede next_fire_at, so the catch-up — the latest past occurrence — is
        // always one nobody enqueued, and its ledger claim below succeeds.
        TreeSet<Instant> pastSet = new TreeSet<>(folded);
        pastSet.addAll(unenqueued);
        List<Instant> past = new ArrayList<>(pastSet);
        Instant graceStart = now.minusSeconds(d.misfireGraceSeconds());
        List<Instant> expired = past.stream().filter(o -> o.isBefore(graceStart)).toList();
        List<Instant> within = past.stream().filter(o -> !o.isBefore(graceStart)).toList();
        List<Instant> enqueue = new ArrayList<>();
        List<Missed> missed = new ArrayList<>();
        if (!expired.isEmpty()) {
            missed.add(new Missed(expired, null, "older than misfire_grace_seconds when the scheduler recovered"));
        }
        if (!within.isEmpty()) {
            Instant catchUp = within.get(within.size() - 1);
            enqueue.add(catchUp);
            if (within.size() > 1) {
                missed.add(new Missed(within.subList(0, within.size() - 1), catchUp,
                        "coalesced into the catch-up run after the scheduler recovered"));
            }
        }
        found.stream().filter(o -> !o.isBefore(now)).forEach(enqueue::add);
        return new Plan(enqueue, missed, nextFireAt, finished, true);
    }

    private static ObjectNode pair(UUID scheduleId, Instant occurrence) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("schedule_id", scheduleId.toString());
        node.put("occurrence", occurrence.toString());
        return node;
    }

    private Due due(ResultSet rs, int row) throws SQLException {
        UUID id = rs.getObject("id", UUID.class);
        Instant endAt = instant(rs.getTimestamp("end_at"));
        Schedule schedule = compiled.get(id);
        if (schedule == null) {
            schedule = compile(rs);
            if (compiled.size() >= CACHE_LIMIT) {
                compiled.clear();
            }
            compiled.put(id, schedule);
        }
        return new Due(id, schedule, endAt, rs.getInt("misfire_grace_seconds"), rs.getTimestamp("next_fire_at").toInstant(),
                rs.getBoolean("finished"));
    }

    static Schedule compile(ResultSet rs) throws SQLException {
        return Schedules.compile(new ScheduleDefinition(ScheduleKind.fromWire(rs.getString("kind")), rs.getString("expr"),
                Schedules.zone(rs.getString("timezone")), rs.getTimestamp("anchor").toInstant(),
                instant(rs.getTimestamp("start_at")), instant(rs.getTimestamp("end_at"))));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /** A schedule a window fire handles, locked. */
    record Due(UUID id, Schedule schedule, Instant endAt, int misfireGraceSeconds, Instant nextFireAt, boolean finished) {

        boolean withinEnd(Instant instant) {
            return endAt == null || !instant.isAfter(endAt);
        }
    }

    record Plan(List<Instant> enqueue, List<Missed> missed, Instant nextFireAt, boolean finished, boolean outage) {
    }

    record Missed(List<Instant> occurrences, Instant caughtUpFor, String reason) {
    }

    /** A run enqueued ahead before an outage, taken out of the queue by a fire that folds it into the catch-up. */
    private record Folded(UUID id, UUID taskId, UUID scheduleId, Instant scheduledFor, int attempt) {
    }

    record Result(int schedules, int runs) {
    }
}
