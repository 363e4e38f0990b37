package io.ordinaut.trigger;

import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

import org.postgresql.PGStatement;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.queue.DueWorkQueue;
import io.ordinaut.schedule.Schedule;
import io.ordinaut.schedule.ScheduleDefinition;

/**
 * Moves tasks onto and off shared schedules. Tasks whose schedules have the same sharing key share one
 * {@code schedule} row and — in per-schedule mode — one Quartz trigger, so Quartz fires once per
 * distinct schedule however many tasks use it. In windows mode ({@link TriggerProperties}) a schedule
 * has no trigger of its own: its {@code next_fire_at} is set when it is created (and its occurrences
 * inside the horizon enqueued, see {@link WindowFirer#start}), and the window triggers take it from there.
 * Not while its window group does not fire ({@link WindowHold}: the cluster in standby, its window
 * trigger paused): then the creation enqueues nothing, as no fire would, and the group's fires take the
 * schedule from its first occurrence once firing resumes. A task joining an existing schedule still gets
 * the occurrences the schedule's fires enqueued ahead before the standby or pause, as its other tasks do.
 *
 * <p>Both methods must run inside the caller's transaction: the schedule row lock serialises joins,
 * leaves and the enqueue job of one schedule, and Quartz (JobStoreCMT) writes its trigger in the same
 * transaction, so a task's schedule change commits or rolls back as one.
 */
@Component
public class ScheduleRegistry {

    private static final Logger log = LoggerFactory.getLogger(ScheduleRegistry.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final String GROUP = "ordinaut";
    static final JobKey JOB_KEY = new JobKey("enqueue-occurrence", GROUP);
    /** Never enqueue more than this many catch-up occurrences for a task joining late. */
    private static final int LATE_JOIN_CAP = 1000;

    /**
     * Creates the schedule unless one with its sharing key exists. In windows mode the row is inserted with
     * its first next_fire_at (WindowFirer#planStart). DO NOTHING takes no lock on an existing row: a joiner
     * then locks it with {@link #LOCK_EXISTING}.
     */
    private static final String INSERT_SCHEDULE = """
            INSERT INTO schedule (id, sharing_key, kind, expr, timezone, anchor, start_at, end_at, misfire_grace_seconds,
                                  next_fire_at, finished, enqueued_through, fire_bucket)
            VALUES (:id, :key, :kind, :expr, :timezone, :anchor, :startAt, :endAt, :grace, :nextFireAt, :finished, :enqueuedThrough,
                    :bucket)
            ON CONFLICT (sharing_key) DO NOTHING
            RETURNING id
            """;

    /** {@link #INSERT_SCHEDULE} for the distinct schedules of a batch, in sharing-key order. */
    private static final String INSERT_SCHEDULES = """
            INSERT INTO schedule (id, sharing_key, kind, expr, timezone, anchor, start_at, end_at, misfire_grace_seconds,
                                  next_fire_at, finished, enqueued_through, fire_bucket)
            SELECT id, sharing_key, kind, expr, timezone, anchor, start_at, end_at, misfire_grace_seconds,
                   next_fire_at, finished, enqueued_through, fire_bucket
              FROM json_to_recordset(CAST(:rows AS json)) AS r(id uuid, sharing_key text, kind text, expr text, timezone text,
                   anchor timestamptz, start_at timestamptz, end_at timestamptz, misfire_grace_seconds integer,
                   next_fire_at timestamptz, finished boolean, enqueued_through timestamptz, fire_bucket smallint)
             ORDER BY sharing_key
            ON CONFLICT (sharing_key) DO NOTHING
            RETURNING id, sharing_key
            """;

    /**
     * Locks an existing shared schedule for a join. In windows mode FOR SHARE: joins of one schedule do not
     * exclude each other (each only adds its own task and its own runs), while a fire (FOR UPDATE) and a
     * leave or change (FOR UPDATE) still wait for every joiner's commit and are waited for. Per-schedule
     * mode keeps FOR UPDATE: a join there may have to (re)create the schedule's Quartz trigger.
     */
    private static final String LOCK_EXISTING = "SELECT id, enqueued_through FROM schedule WHERE sharing_key = :key FOR ";
    /**
     * {@link #LOCK_EXISTING} for many keys (a text array, the only parameter). Planned at every call, never
     * from a cached generic plan ({@link #lockExisting}).
     */
    private static final String LOCK_EXISTING_ALL = "SELECT id, sharing_key, enqueued_through FROM schedule WHERE sharing_key = ANY (?) ORDER BY id FOR ";

    /** Advisory locks on many sharing keys, taken in key order (see {@link #LOCK_KEY}). */
    private static final String LOCK_KEYS = """
            SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))
              FROM (SELECT value AS k FROM jsonb_array_elements_text(CAST(:keys AS jsonb)) ORDER BY value) AS s
            """;

    /** Attempts at joining a schedule that concurrent leaves keep deleting between its insert and its lock. */
    private static final int JOIN_ATTEMPTS = 10;

    /**
     * fire_bucket is drawn here, as the column's default would draw it (0..1023), rather than by the
     * insert: in windows mode its group decides — before the insert — whether the new schedule's first
     * occurrences may be enqueued at once (not while that group's window trigger is paused).
     */
    private static final int FIRE_BUCKETS = 1024;

    private static final String LOCK_SCHEDULE = "SELECT id FROM schedule WHERE id = :id FOR UPDATE";
    private static final String HAS_TASKS = "SELECT EXISTS (SELECT 1 FROM task WHERE schedule_id = :id)";
    private static final String DELETE_SCHEDULE = "DELETE FROM schedule WHERE id = :id";

    private static final String SHARING_KEY = "SELECT sharing_key FROM schedule WHERE id = :id";

    /**
     * Serialises changes that touch the same shared schedule by its sharing key — which, unlike a row,
     * exists before the schedule does (a change may create the schedule it moves to).
     */
    private static final String LOCK_KEY = "SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))";

    private static final String LOCK_ROWS = "SELECT id FROM schedule WHERE id = :current OR sharing_key = :targetKey ORDER BY id FOR UPDATE";

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final Scheduler scheduler;
    private final DueWorkQueue queue;
    private final TriggerProperties properties;
    private final WindowFirer windows;
    private final WindowHold hold;

    ScheduleRegistry(JdbcClient jdbc, JdbcTemplate template, Scheduler scheduler, DueWorkQueue queue, TriggerProperties properties,
                     WindowFirer windows, WindowHold hold) {
        this.hold = hold;
        this.jdbc = jdbc;
        this.template = template;
        this.scheduler = scheduler;
        this.queue = queue;
        this.properties = properties;
        this.windows = windows;
    }

    /**
     * Puts an active task on the shared schedule for {@code schedule}, creating the schedule (and in
     * per-schedule mode its trigger) when it is the first. {@code attach} stores the task on the schedule
     * (an insert of a new task with its schedule_id, or an update) once the schedule is created or locked,
     * and before its runs are enqueued. Occurrences after the task's active_since that the schedule already
     * enqueued ahead are enqueued for it too, exactly once.
     *
     * @return the shared schedule's id
     */
    public UUID join(UUID taskId, Schedule schedule, int misfireGraceSeconds, Instant since, Consumer<UUID> attach) {
        return joinAll(List.of(taskId), schedule, misfireGraceSeconds, since, attach);
    }

    /**
     * {@link #join} for several tasks of one schedule: the schedule is created or locked once, and the
     * tasks' runs are enqueued with one statement.
     *
     * @return the shared schedule's id
     */
    public UUID joinAll(List<UUID> taskIds, Schedule schedule, int misfireGraceSeconds, Instant since, Consumer<UUID> attach) {
        ScheduleDefinition d = schedule.definition();
        String key = sharingKey(schedule, misfireGraceSeconds);
        WindowHold.Check held = hold.check();
        for (int attempt = 1; attempt <= JOIN_ATTEMPTS; attempt++) {
            // Most joins find their schedule: lock it first, so they plan nothing and insert nothing.
            Optional<Existing> existing = jdbc.sql(LOCK_EXISTING + lockMode()).param("key", key)
                    .query((rs, i) -> new Existing(rs.getObject(1, UUID.class), instant(rs.getTimestamp(2))))
                    .optional();
            if (existing.isPresent()) {
                UUID scheduleId = existing.get().id();
                attach.accept(scheduleId);
                if (!properties.windows()) {
                    try {
                        if (!scheduler.checkExists(triggerKey(scheduleId))) {
                            createTrigger(scheduleId, d, misfireGraceSeconds, key);
                        }
                    } catch (SchedulerException e) {
                        throw new IllegalStateException("Could not read the Quartz trigger of schedule " + scheduleId + ": " + e.getMessage(), e);
                    }
                }
                // The schedule row is locked against fires, so its ledger does not change before the commit.
                if (existing.get().enqueuedAfter(since)) {
                    queue.enqueueEnqueuedAhead(taskIds, LATE_JOIN_CAP);
                }
                return scheduleId;
            }
            UUID id = UUID.randomUUID();
            int bucket = ThreadLocalRandom.current().nextInt(FIRE_BUCKETS);
            WindowFirer.Plan plan = properties.windows()
                    ? windows.planStart(id, schedule, misfireGraceSeconds, since, () -> held.fires(bucket % properties.groups()))
                    : null;
            Optional<UUID> inserted = jdbc.sql(INSERT_SCHEDULE)
                    .param("id", id)
                    .param("key", key)
                    .param("kind", d.kind().wireName())
                    .param("expr", d.expression())
                    .param("timezone", d.zone().getId())
                    .param("anchor", Timestamp.from(d.anchor()))
                    .param("startAt", d.startAt() == null ? null : Timestamp.from(d.startAt()))
                    .param("endAt", d.endAt() == null ? null : Timestamp.from(d.endAt()))
                    .param("grace", misfireGraceSeconds)
                    .param("nextFireAt", plan == null ? null : Timestamp.from(plan.nextFireAt()))
                    .param("finished", plan != null && plan.finished())
                    .param("enqueuedThrough", plan == null || plan.enqueue().isEmpty() ? null
                            : Timestamp.from(plan.enqueue().get(plan.enqueue().size() - 1)))
                    .param("bucket", bucket)
                    .query(UUID.class)
                    .optional();
            if (inserted.isPresent()) {
                attach.accept(id);
                if (plan != null) {
                    // No Quartz trigger of its own: the group's window fires take it from here. Occurrences
                    // inside the horizon are enqueued now, so none waits for the next window fire — unless
                    // its group does not fire now (the plan then enqueues nothing).
                    windows.start(id, taskIds, schedule, plan);
                } else {
                    createTrigger(id, d, misfireGraceSeconds, key);
                }
                return id;
            }
            // Another join created it between the lock and the insert, or its last task left and removed it: look again.
            log.debug("Schedule {} changed while task {} joined it; retrying", key, taskIds.get(0));
        }
        throw new IllegalStateException("Task " + taskIds.get(0) + " could not join schedule " + key + " in " + JOIN_ATTEMPTS
                + " attempts: concurrent changes kept removing it");
    }

    /**
     * Joins the tasks of a batch to their shared schedules, in windows mode with set-based statements
     * whatever the number of distinct schedules: their sharing keys are locked in key order (as
     * {@link #lockInOrder} does, so a batch and a concurrent change queue up instead of deadlocking), the
     * existing schedules locked with one statement and the missing ones inserted with one, the tasks stored
     * by {@code attach} (task id → schedule id; called once per group in per-schedule mode), then the new schedules' first occurrences claimed and
     * enqueued and the existing ones' enqueued-ahead occurrences enqueued, one statement each. In
     * per-schedule mode each schedule is joined in turn ({@link #joinAll}).
     */
    public void joinMany(List<Joining> groups, Consumer<Map<UUID, UUID>> attach) {
        if (groups.isEmpty()) {
            attach.accept(Map.of());
            return;
        }
        Map<String, Joining> byKey = new TreeMap<>();
        groups.forEach(g -> byKey.put(sharingKey(g.schedule(), g.misfireGraceSeconds()), g));
        if (byKey.size() != groups.size()) {
            throw new IllegalArgumentException("joinMany: two groups share a schedule");
        }
        if (byKey.size() > 1) {
            jdbc.sql(LOCK_KEYS).param("keys", json(byKey.keySet())).query().listOfRows();
        }
        if (!properties.windows()) {
            for (Joining g : byKey.values()) {
                joinAll(g.taskIds(), g.schedule(), g.misfireGraceSeconds(), g.since(), id -> {
                    Map<UUID, UUID> scheduleOf = new HashMap<>();
                    g.taskIds().forEach(t -> scheduleOf.put(t, id));
                    attach.accept(scheduleOf);
                });
            }
            return;
        }
        Map<String, UUID> created = new HashMap<>();
        Map<String, UUID> existing = new HashMap<>();
        Map<String, Instant> enqueuedThrough = new HashMap<>();
        Map<UUID, WindowFirer.Plan> plans = new HashMap<>();
        Map<UUID, Schedule> schedules = new HashMap<>();
        Set<String> pending = new TreeSet<>(byKey.keySet());
        WindowHold.Check held = hold.check();
        for (int attempt = 1; !pending.isEmpty(); attempt++) {
            if (attempt > JOIN_ATTEMPTS) {
                throw new IllegalStateException("A batch could not join schedules " + pending + " in " + JOIN_ATTEMPTS
                        + " attempts: concurrent changes kept removing them");
            }
            // Most joins find their schedule: lock those first, so only the missing ones are planned and inserted.
            lockExisting(pending, rs -> {
                enqueuedThrough.put(rs.getString(2), instant(rs.getTimestamp(3)));
                existing.put(rs.getString(2), rs.getObject(1, UUID.class));
            });
            pending.removeAll(existing.keySet());
            if (pending.isEmpty()) {
                break;
            }
            List<Map<String, Object>> rows = new ArrayList<>(pending.size());
            Map<UUID, WindowFirer.Plan> tried = new HashMap<>();
            for (String key : pending) {
                Joining g = byKey.get(key);
                ScheduleDefinition d = g.schedule().definition();
                UUID id = UUID.randomUUID();
                int bucket = ThreadLocalRandom.current().nextInt(FIRE_BUCKETS);
                WindowFirer.Plan plan = windows.planStart(id, g.schedule(), g.misfireGraceSeconds(), g.since(),
                        () -> held.fires(bucket % properties.groups()));
                tried.put(id, plan);
                Map<String, Object> row = new HashMap<>();
                row.put("id", id);
                row.put("sharing_key", key);
                row.put("kind", d.kind().wireName());
                row.put("expr", d.expression());
                row.put("timezone", d.zone().getId());
                row.put("anchor", d.anchor().toString());
                row.put("start_at", d.startAt() == null ? null : d.startAt().toString());
                row.put("end_at", d.endAt() == null ? null : d.endAt().toString());
                row.put("misfire_grace_seconds", g.misfireGraceSeconds());
                row.put("next_fire_at", plan.nextFireAt().toString());
                row.put("finished", plan.finished());
                row.put("enqueued_through", plan.enqueue().isEmpty() ? null : plan.enqueue().get(plan.enqueue().size() - 1).toString());
                row.put("fire_bucket", bucket);
                rows.add(row);
            }
            jdbc.sql(INSERT_SCHEDULES).param("rows", JSON.writeValueAsString(rows)).query((rs, i) -> {
                UUID id = rs.getObject(1, UUID.class);
                String key = rs.getString(2);
                created.put(key, id);
                plans.put(id, tried.get(id));
                schedules.put(id, byKey.get(key).schedule());
                return id;
            }).list();
            // A key neither found nor inserted was created by a concurrent join meanwhile: the next attempt locks it.
            pending.removeAll(created.keySet());
        }
        Map<UUID, UUID> scheduleOf = new HashMap<>();
        List<UUID> joiningExisting = new ArrayList<>();
        byKey.forEach((key, g) -> {
            UUID id = created.containsKey(key) ? created.get(key) : existing.get(key);
            g.taskIds().forEach(t -> scheduleOf.put(t, id));
            if (!created.containsKey(key) && new Existing(id, enqueuedThrough.get(key)).enqueuedAfter(g.since())) {
                joiningExisting.addAll(g.taskIds());
            }
        });
        attach.accept(scheduleOf);
        if (!plans.isEmpty()) {
            windows.startAll(schedules, plans);
        }
        queue.enqueueEnqueuedAhead(joiningExisting, LATE_JOIN_CAP);
    }

    /** The tasks of a batch that share one schedule. */
    public record Joining(Schedule schedule, int misfireGraceSeconds, Instant since, List<UUID> taskIds) {
    }

    /** A shared schedule a join found, and the last occurrence it enqueued (null: none yet). */
    private record Existing(UUID id, Instant enqueuedThrough) {

        /**
         * Whether the schedule may hold enqueued occurrences after {@code since}, the joining task's start:
         * enqueued_through bounds every occurrence its fires and its creation enqueued. When it does not, the
         * late-join enqueue would find nothing and is skipped. Compared at PostgreSQL's microseconds,
         * rounding down, so a doubtful case still runs the enqueue.
         */
        boolean enqueuedAfter(Instant since) {
            return enqueuedThrough != null && enqueuedThrough.isAfter(since.truncatedTo(ChronoUnit.MICROS));
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    /**
     * Runs {@link #LOCK_EXISTING_ALL} unprepared, so PostgreSQL plans it knowing how many keys it is given
     * and how large the table is now. A cached generic plan, made while {@code schedule} held a handful of
     * rows (a new database: one shared schedule) and for an unknown number of keys, scans and hashes the
     * whole table, and keeps doing so as distinct schedules pile up until statistics are next refreshed —
     * measured at 1–2.6 ms a call with 20,000 schedules, against some 40 µs through the sharing-key index.
     */
    private void lockExisting(Set<String> keys, RowCallbackHandler row) {
        template.query(connection -> {
            PreparedStatement statement = connection.prepareStatement(LOCK_EXISTING_ALL + lockMode());
            statement.unwrap(PGStatement.class).setPrepareThreshold(0);
            statement.setArray(1, connection.createArrayOf("text", keys.toArray()));
            return statement;
        }, row);
    }

    private String lockMode() {
        return properties.windows() ? "SHARE" : "UPDATE";
    }

    private void createTrigger(UUID scheduleId, ScheduleDefinition d, int misfireGraceSeconds, String key) {
        try {
            scheduleTrigger(scheduler, scheduleId, d, misfireGraceSeconds);
            log.debug("Created trigger for schedule {} ({})", scheduleId, key);
        } catch (SchedulerException e) {
            throw new IllegalStateException("Could not create the Quartz trigger of schedule " + scheduleId + ": " + e.getMessage(), e);
        }
    }

    private static String json(Set<String> keys) {
        return JSON.writeValueAsString(keys);
    }

    /**
     * Called after a task was detached from {@code scheduleId} (paused, canceled, rescheduled): the
     * schedule and its trigger go away with their last task.
     */
    public void leave(UUID scheduleId) {
        if (scheduleId == null) {
            return;
        }
        boolean exists = jdbc.sql(LOCK_SCHEDULE).param("id", scheduleId).query(UUID.class).optional().isPresent();
        if (!exists) {
            return;
        }
        boolean inUse = jdbc.sql(HAS_TASKS).param("id", scheduleId).query(Boolean.class).single();
        if (inUse) {
            return;
        }
        if (!properties.windows()) {
            try {
                scheduler.unscheduleJob(triggerKey(scheduleId));
            } catch (SchedulerException e) {
                throw new IllegalStateException("Could not remove the Quartz trigger of schedule " + scheduleId + ": " + e.getMessage(), e);
            }
        }
        jdbc.sql(DELETE_SCHEDULE).param("id", scheduleId).update();
        log.debug("Schedule {} removed with its last task", scheduleId);
    }

    /**
     * Locks, in a fixed order, the schedule a task is on and the schedule it is moving to (by sharing
     * key; it may not exist yet): first each key (advisory lock, keys in sorted order), then the rows
     * that exist, in id order. Call before locking the task row and before any other schedule lock of
     * the change. Two changes that move tasks between the same schedules in opposite directions then
     * queue up instead of deadlocking, and a change never waits on a fire that waits on it (a fire
     * locks its schedule row, then task rows).
     *
     * @param target the schedule the task moves to, or null when it only leaves (or stays)
     */
    public void lockInOrder(UUID current, Schedule target, int misfireGraceSeconds) {
        TreeSet<String> keys = new TreeSet<>();
        if (current != null) {
            jdbc.sql(SHARING_KEY).param("id", current).query(String.class).optional().ifPresent(keys::add);
        }
        String targetKey = target == null ? null : sharingKey(target, misfireGraceSeconds);
        if (targetKey != null) {
            keys.add(targetKey);
        }
        for (String key : keys) {
            jdbc.sql(LOCK_KEY).param("key", key).query().listOfRows();
        }
        if (!keys.isEmpty()) {
            jdbc.sql(LOCK_ROWS).param("current", current).param("targetKey", targetKey).query(UUID.class).list();
        }
    }

    private static String sharingKey(Schedule schedule, int misfireGraceSeconds) {
        return schedule.sharingKey() + "|grace=" + misfireGraceSeconds;
    }

    /** Creates the per-schedule Quartz trigger of a shared schedule (mode per-schedule). */
    static void scheduleTrigger(Scheduler scheduler, UUID scheduleId, ScheduleDefinition definition, int misfireGraceSeconds)
            throws SchedulerException {
        ScheduleTrigger trigger = new ScheduleTrigger(definition, misfireGraceSeconds);
        trigger.setKey(triggerKey(scheduleId));
        trigger.setJobKey(JOB_KEY);
        trigger.setMisfireInstruction(Trigger.MISFIRE_INSTRUCTION_SMART_POLICY);
        scheduler.scheduleJob(trigger);
    }

    static TriggerKey triggerKey(UUID scheduleId) {
        return new TriggerKey(scheduleId.toString(), GROUP);
    }

}
