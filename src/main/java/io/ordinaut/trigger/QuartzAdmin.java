package io.ordinaut.trigger;

import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SchedulerMetaData;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.ordinaut.config.NodeProperties;

/**
 * What an operator may do to this node's Quartz scheduler and the cluster's triggers, in plain types
 * (Quartz types stay in this package): read its state, put it in standby and start it, pause and resume
 * a trigger, list its next fire times, and the primitives of a trigger repair. Every write runs in a
 * transaction of its own, as Quartz's job store (JobStoreCMT) expects.
 */
@Component
public class QuartzAdmin {

    /** The Quartz group of the per-schedule triggers (name = schedule id). */
    public static final String SCHEDULE_GROUP = ScheduleRegistry.GROUP;
    /** The Quartz group of the window triggers (name = {@code window-<group>}). */
    public static final String WINDOW_GROUP = FiringMode.WINDOW_GROUP;
    public static final String WINDOW_PREFIX = "window-";

    private static final String SCHEDULE_ROW = """
            SELECT id, kind, expr, timezone, anchor, start_at, end_at, misfire_grace_seconds FROM schedule WHERE id = :id
            """;

    private final Scheduler scheduler;
    private final FiringMode firingMode;
    private final TriggerProperties properties;
    private final NodeProperties node;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final QuartzStatus status;

    QuartzAdmin(Scheduler scheduler, FiringMode firingMode, TriggerProperties properties, NodeProperties node, JdbcClient jdbc,
                PlatformTransactionManager transactionManager, QuartzStatus status) {
        this.scheduler = scheduler;
        this.status = status;
        this.firingMode = firingMode;
        this.properties = properties;
        this.node = node;
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
    }

    /** This node's scheduler as Quartz reports it. */
    public record Facts(String schedulerName, String instanceId, String state, boolean clustered, int threadPoolSize,
                        int busyThreads, long jobsExecuted, Instant runningSince) {
    }

    public Facts facts() {
        try {
            SchedulerMetaData meta = scheduler.getMetaData();
            return new Facts(meta.getSchedulerName(), meta.getSchedulerInstanceId(), state(), meta.isJobStoreClustered(),
                    meta.getThreadPoolSize(), scheduler.getCurrentlyExecutingJobs().size(), meta.getNumberOfJobsExecuted(),
                    meta.getRunningSince() == null ? null : meta.getRunningSince().toInstant());
        } catch (SchedulerException e) {
            throw new IllegalStateException("Quartz could not report its state: " + e.getMessage(), e);
        }
    }

    /** {@code started}, {@code standby} (never started, or put in standby) or {@code shutdown}. */
    public String state() {
        try {
            if (scheduler.isShutdown()) {
                return "shutdown";
            }
            return scheduler.isStarted() && !scheduler.isInStandbyMode() ? "started" : "standby";
        } catch (SchedulerException e) {
            return "shutdown";
        }
    }

    /** Whether this node may fire triggers at all (ordinaut.node.roles has scheduler). */
    public boolean schedulerRole() {
        return node.has(NodeProperties.Role.SCHEDULER);
    }

    /** This node stops acquiring triggers; fires already running finish, other nodes take its share. */
    public void standby() {
        try {
            scheduler.standby();
        } catch (SchedulerException e) {
            throw new IllegalStateException("Quartz standby failed: " + e.getMessage(), e);
        }
    }

    /** This node fires again. Only for a node with the scheduler role that is not shut down. */
    public void start() {
        if (!schedulerRole()) {
            throw new IllegalStateException("node " + node.id() + " does not have the scheduler role");
        }
        // No longer held by the cluster's standby: should the start fail, readiness says so.
        status.releaseHold();
        try {
            scheduler.start();
        } catch (SchedulerException e) {
            throw new IllegalStateException("Quartz start failed: " + e.getMessage(), e);
        }
    }

    /** Pauses one trigger (every task on it stops firing); false when there is no such trigger. */
    public boolean pause(String group, String name) {
        TriggerKey key = new TriggerKey(name, group);
        return Boolean.TRUE.equals(transactions.execute(status -> {
            try {
                if (!scheduler.checkExists(key)) {
                    return false;
                }
                scheduler.pauseTrigger(key);
                return true;
            } catch (SchedulerException e) {
                throw new IllegalStateException("Could not pause trigger " + key + ": " + e.getMessage(), e);
            }
        }));
    }

    /** Resumes a paused trigger (Quartz applies its misfire instruction); false when there is no such trigger. */
    public boolean resume(String group, String name) {
        TriggerKey key = new TriggerKey(name, group);
        return Boolean.TRUE.equals(transactions.execute(status -> {
            try {
                if (!scheduler.checkExists(key)) {
                    return false;
                }
                scheduler.resumeTrigger(key);
                return true;
            } catch (SchedulerException e) {
                throw new IllegalStateException("Could not resume trigger " + key + ": " + e.getMessage(), e);
            }
        }));
    }

    /** Puts a trigger Quartz set to ERROR (its job could not be run) back to WAITING; false when there is no such trigger. */
    public boolean resetFromError(String group, String name) {
        TriggerKey key = new TriggerKey(name, group);
        return Boolean.TRUE.equals(transactions.execute(status -> {
            try {
                if (!scheduler.checkExists(key)) {
                    return false;
                }
                scheduler.resetTriggerFromErrorState(key);
                return true;
            } catch (SchedulerException e) {
                throw new IllegalStateException("Could not reset trigger " + key + ": " + e.getMessage(), e);
            }
        }));
    }

    /** The trigger's next {@code count} fire times from its next fire time on; empty when it does not exist. */
    public Optional<List<Instant>> nextFireTimes(String group, String name, int count) {
        try {
            Trigger trigger = scheduler.getTrigger(new TriggerKey(name, group));
            if (trigger == null) {
                return Optional.empty();
            }
            List<Instant> times = new ArrayList<>();
            Date next = trigger.getNextFireTime();
            while (next != null && times.size() < count) {
                times.add(next.toInstant());
                next = trigger.getFireTimeAfter(next);
            }
            return Optional.of(times);
        } catch (SchedulerException e) {
            throw new IllegalStateException("Could not read trigger " + group + "." + name + ": " + e.getMessage(), e);
        }
    }

    /** The names of the triggers in a group, sorted. */
    public Set<String> triggerNames(String group) {
        try {
            Set<String> names = new TreeSet<>();
            scheduler.getTriggerKeys(GroupMatcher.triggerGroupEquals(group)).forEach(k -> names.add(k.getName()));
            return names;
        } catch (SchedulerException e) {
            throw new IllegalStateException("Could not list the triggers of group " + group + ": " + e.getMessage(), e);
        }
    }

    /** Removes a trigger; false when there was none. */
    public boolean removeTrigger(String group, String name) {
        TriggerKey key = new TriggerKey(name, group);
        return Boolean.TRUE.equals(transactions.execute(status -> {
            try {
                return scheduler.unscheduleJob(key);
            } catch (SchedulerException e) {
                throw new IllegalStateException("Could not remove trigger " + key + ": " + e.getMessage(), e);
            }
        }));
    }

    /**
     * Creates the per-schedule trigger of a shared schedule from its row (per-schedule mode), as
     * ScheduleRegistry does when the first task joins it.
     *
     * @throws IllegalStateException when the schedule is gone or Quartz refuses it (no further occurrence)
     */
    public void createScheduleTrigger(UUID scheduleId) {
        transactions.executeWithoutResult(status -> {
            // The row lock serialises with a task joining or leaving the schedule (ScheduleRegistry locks it too).
            List<Boolean> found = jdbc.sql(SCHEDULE_ROW + " FOR UPDATE").param("id", scheduleId).query((ResultSet rs, int i) -> {
                try {
                    if (!scheduler.checkExists(ScheduleRegistry.triggerKey(scheduleId))) {
                        ScheduleRegistry.scheduleTrigger(scheduler, scheduleId, WindowFirer.compile(rs).definition(),
                                rs.getInt("misfire_grace_seconds"));
                    }
                    return true;
                } catch (SchedulerException e) {
                    throw new IllegalStateException("Quartz refused the trigger of schedule " + scheduleId + ": " + e.getMessage(), e);
                }
            }).list();
            if (found.isEmpty()) {
                throw new IllegalStateException("schedule " + scheduleId + " no longer exists");
            }
        });
    }

    /**
     * Brings the triggers in line with ordinaut.trigger.mode as a node does when it starts: in windows mode
     * fills missing next_fire_at, removes per-schedule triggers and (re)creates the window triggers; in
     * per-schedule mode removes window triggers. Idempotent.
     */
    public void alignWithFiringMode() {
        firingMode.prepare();
    }

    /** ordinaut.trigger.mode is windows. */
    public boolean windowsMode() {
        return properties.windows();
    }

    /** ordinaut.trigger.groups: the number of window triggers in windows mode. */
    public int windowGroups() {
        return properties.groups();
    }
}
