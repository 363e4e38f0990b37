package io.ordinaut.trigger;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;

import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.ordinaut.queue.DueWorkQueue;
import io.ordinaut.schedule.Schedule;
import io.ordinaut.schedule.ScheduleDefinition;

/**
 * Moves tasks onto and off shared schedules. Tasks whose schedules have the same sharing key share one
 * {@code schedule} row and — in per-schedule mode — one Quartz trigger, so Quartz fires once per
 * distinct schedule however many tasks use it. In windows mode ({@link TriggerProperties}) a schedule
 * has no trigger of its own: its {@code next_fire_at} is set when it is created (and its occurrences
 * inside the horizon enqueued, see {@link WindowFirer#start}), and the window triggers take it from there.
 *
 * <p>Both methods must run inside the caller's transaction: the schedule row lock serialises joins,
 * leaves and the enqueue job of one schedule, and Quartz (JobStoreCMT) writes its trigger in the same
 * transaction, so a task's schedule change commits or rolls back as one.
 */
@Component
public class ScheduleRegistry {

    private static final Logger log = LoggerFactory.getLogger(ScheduleRegistry.class);
    static final String GROUP = "ordinaut";
    static final JobKey JOB_KEY = new JobKey("enqueue-occurrence", GROUP);
    /** Never enqueue more than this many catch-up occurrences for a task joining late. */
    private static final int LATE_JOIN_CAP = 1000;

    private static final String UPSERT_SCHEDULE = """
            INSERT INTO schedule (id, sharing_key, kind, expr, timezone, anchor, start_at, end_at, misfire_grace_seconds)
            VALUES (:id, :key, :kind, :expr, :timezone, :anchor, :startAt, :endAt, :grace)
            ON CONFLICT (sharing_key) DO UPDATE SET sharing_key = EXCLUDED.sharing_key
            RETURNING id, (xmax = 0) AS inserted
            """;

    /** The occurrences the schedule already enqueued after a joining task's active_since (enqueued ahead). */
    private static final String ENQUEUED_AFTER = """
            SELECT occurrence FROM schedule_occurrence
             WHERE schedule_id = :id AND occurrence > :after AND outcome = 'enqueued'
             ORDER BY occurrence LIMIT :cap
            """;


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
    private final Scheduler scheduler;
    private final DueWorkQueue queue;
    private final TriggerProperties properties;
    private final WindowFirer windows;

    ScheduleRegistry(JdbcClient jdbc, Scheduler scheduler, DueWorkQueue queue, TriggerProperties properties, WindowFirer windows) {
        this.jdbc = jdbc;
        this.scheduler = scheduler;
        this.queue = queue;
        this.properties = properties;
        this.windows = windows;
    }

    /**
     * Puts an active task on the shared schedule for {@code schedule}, creating the schedule and its
     * trigger when it is the first. Occurrences after {@code activeSince} that the schedule already
     * enqueued ahead of time are enqueued for this task too, exactly once.
     *
     * @return the shared schedule's id
     */
    public UUID join(UUID taskId, Schedule schedule, int misfireGraceSeconds, Instant activeSince) {
        ScheduleDefinition d = schedule.definition();
        String key = sharingKey(schedule, misfireGraceSeconds);
        JoinedSchedule joined = jdbc.sql(UPSERT_SCHEDULE)
                .param("id", UUID.randomUUID())
                .param("key", key)
                .param("kind", d.kind().wireName())
                .param("expr", d.expression())
                .param("timezone", d.zone().getId())
                .param("anchor", Timestamp.from(d.anchor()))
                .param("startAt", d.startAt() == null ? null : Timestamp.from(d.startAt()))
                .param("endAt", d.endAt() == null ? null : Timestamp.from(d.endAt()))
                .param("grace", misfireGraceSeconds)
                .query((rs, i) -> new JoinedSchedule(rs.getObject("id", UUID.class), rs.getBoolean("inserted")))
                .single();
        if (properties.windows()) {
            if (joined.inserted()) {
                // No Quartz trigger of its own: the group's window fires take it from here. Occurrences
                // inside the horizon are enqueued now, so none waits for the next window fire.
                windows.start(joined.id(), taskId, schedule, misfireGraceSeconds);
            }
        } else {
            TriggerKey triggerKey = triggerKey(joined.id());
            try {
                if (joined.inserted() || !scheduler.checkExists(triggerKey)) {
                    scheduleTrigger(scheduler, joined.id(), d, misfireGraceSeconds);
                    log.debug("Created trigger for schedule {} ({})", joined.id(), key);
                }
            } catch (SchedulerException e) {
                throw new IllegalStateException("Could not create the Quartz trigger of schedule " + joined.id() + ": " + e.getMessage(), e);
            }
        }
        if (!joined.inserted()) {
            // The upsert locked the schedule row, so no fire of it runs between this read and the commit.
            List<Instant> enqueuedAhead = jdbc.sql(ENQUEUED_AFTER)
                    .param("id", joined.id())
                    .param("after", Timestamp.from(activeSince))
                    .param("cap", LATE_JOIN_CAP)
                    .query((rs, i) -> rs.getTimestamp(1).toInstant())
                    .list();
            queue.enqueueTaskOccurrences(taskId, enqueuedAhead);
        }
        return joined.id();
    }

    /**
     * {@link #join} for several new tasks of one schedule (a batch create): the schedule is created or
     * locked once, for the first task, and the others get the occurrences it already enqueued ahead with
     * one statement — not one round trip each.
     *
     * @return the shared schedule's id
     */
    public UUID joinAll(List<UUID> taskIds, Schedule schedule, int misfireGraceSeconds, Instant activeSince) {
        UUID scheduleId = join(taskIds.get(0), schedule, misfireGraceSeconds, activeSince);
        if (taskIds.size() > 1) {
            // join locked the schedule row, so the occurrences read here are those the first task got.
            List<Instant> enqueuedAhead = jdbc.sql(ENQUEUED_AFTER)
                    .param("id", scheduleId)
                    .param("after", Timestamp.from(activeSince))
                    .param("cap", LATE_JOIN_CAP)
                    .query((rs, i) -> rs.getTimestamp(1).toInstant())
                    .list();
            queue.enqueueTasksOccurrences(taskIds.subList(1, taskIds.size()), enqueuedAhead);
        }
        return scheduleId;
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

    private record JoinedSchedule(UUID id, boolean inserted) {
    }
}
