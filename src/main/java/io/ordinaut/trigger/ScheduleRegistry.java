package io.ordinaut.trigger;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 * {@code schedule} row and one Quartz trigger, so Quartz fires once per distinct schedule however
 * many tasks use it.
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
            RETURNING id, (xmax = 0) AS inserted, enqueued_through
            """;

    private static final String ATTACH_TASK = "UPDATE task SET schedule_id = :scheduleId WHERE id = :taskId";

    private static final String LOCK_SCHEDULE = "SELECT id FROM schedule WHERE id = :id FOR UPDATE";
    private static final String HAS_TASKS = "SELECT EXISTS (SELECT 1 FROM task WHERE schedule_id = :id)";
    private static final String DELETE_SCHEDULE = "DELETE FROM schedule WHERE id = :id";

    private final JdbcClient jdbc;
    private final Scheduler scheduler;
    private final DueWorkQueue queue;

    ScheduleRegistry(JdbcClient jdbc, Scheduler scheduler, DueWorkQueue queue) {
        this.jdbc = jdbc;
        this.scheduler = scheduler;
        this.queue = queue;
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
        String key = schedule.sharingKey() + "|grace=" + misfireGraceSeconds;
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
                .query((rs, i) -> new JoinedSchedule(rs.getObject("id", UUID.class), rs.getBoolean("inserted"),
                        rs.getTimestamp("enqueued_through") == null ? null : rs.getTimestamp("enqueued_through").toInstant()))
                .single();
        TriggerKey triggerKey = triggerKey(joined.id());
        try {
            if (joined.inserted() || !scheduler.checkExists(triggerKey)) {
                ScheduleTrigger trigger = new ScheduleTrigger(d, misfireGraceSeconds);
                trigger.setKey(triggerKey);
                trigger.setJobKey(JOB_KEY);
                trigger.setMisfireInstruction(Trigger.MISFIRE_INSTRUCTION_SMART_POLICY);
                scheduler.scheduleJob(trigger);
                log.debug("Created trigger for schedule {} ({})", joined.id(), key);
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException("Could not create the Quartz trigger of schedule " + joined.id() + ": " + e.getMessage(), e);
        }
        jdbc.sql(ATTACH_TASK).param("scheduleId", joined.id()).param("taskId", taskId).update();
        if (joined.enqueuedThrough() != null && joined.enqueuedThrough().isAfter(activeSince)) {
            List<Instant> missedAhead = new ArrayList<>();
            for (Instant i : schedule.occurrencesAfter(activeSince, LATE_JOIN_CAP)) {
                if (i.isAfter(joined.enqueuedThrough())) {
                    break;
                }
                missedAhead.add(i);
            }
            queue.enqueueTaskOccurrences(taskId, missedAhead);
        }
        return joined.id();
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
        try {
            scheduler.unscheduleJob(triggerKey(scheduleId));
        } catch (SchedulerException e) {
            throw new IllegalStateException("Could not remove the Quartz trigger of schedule " + scheduleId + ": " + e.getMessage(), e);
        }
        jdbc.sql(DELETE_SCHEDULE).param("id", scheduleId).update();
        log.debug("Schedule {} removed with its last task", scheduleId);
    }

    static TriggerKey triggerKey(UUID scheduleId) {
        return new TriggerKey(scheduleId.toString(), GROUP);
    }

    private record JoinedSchedule(UUID id, boolean inserted, Instant enqueuedThrough) {
    }
}
