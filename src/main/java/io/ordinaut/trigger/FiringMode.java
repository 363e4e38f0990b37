package io.ordinaut.trigger;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import org.quartz.JobDataMap;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import io.ordinaut.schedule.Schedule;

/**
 * Brings Quartz's triggers in line with {@code ordinaut.trigger.mode} when a node starts, so a database
 * from either mode keeps firing after a switch (idempotent; every node may run it).
 *
 * <p>windows: schedules without next_fire_at (created in per-schedule mode) get it from the ledger —
 * the occurrence after the latest one handled, or the first after the schedule was created — then the
 * per-schedule triggers are removed and the window triggers (one per group, repeating every window)
 * created or updated (a trigger an operator paused stays paused when a changed window replaces it). An old
 * trigger firing meanwhile is harmless: the ledger claims each occurrence once.
 *
 * <p>per-schedule: window triggers are removed, next_fire_at cleared, and every schedule without its own
 * trigger gets one again.
 */
@Component
class FiringMode {

    private static final Logger log = LoggerFactory.getLogger(FiringMode.class);
    static final String WINDOW_GROUP = "ordinaut-windows";
    static final JobKey WINDOW_JOB_KEY = new JobKey("enqueue-window", ScheduleRegistry.GROUP);
    private static final int BATCH = 1_000;

    private static final String UNFILLED = """
            SELECT s.id, s.kind, s.expr, s.timezone, s.anchor, s.start_at, s.end_at, s.created_at,
                   (SELECT max(o.occurrence) FROM schedule_occurrence o WHERE o.schedule_id = s.id) AS handled
              FROM schedule s
             WHERE s.next_fire_at IS NULL
             ORDER BY s.id
             LIMIT :limit
               FOR UPDATE
            """;

    private static final String FILL = """
            UPDATE schedule s SET next_fire_at = f.next_fire_at, finished = f.finished
              FROM json_to_recordset(CAST(:fills AS json)) AS f(id uuid, next_fire_at timestamptz, finished boolean)
             WHERE s.id = f.id
            """;

    private static final String CLEAR = "UPDATE schedule SET next_fire_at = NULL, finished = false WHERE next_fire_at IS NOT NULL";

    private static final String ALL_SCHEDULES = """
            SELECT id, kind, expr, timezone, anchor, start_at, end_at, misfire_grace_seconds FROM schedule ORDER BY id
            """;

    private final JdbcClient jdbc;
    private final Scheduler scheduler;
    private final TriggerProperties properties;
    private final Clock clock;
    private final TransactionTemplate transactions;
    private final WindowFirer firer;

    FiringMode(JdbcClient jdbc, Scheduler scheduler, TriggerProperties properties, Clock clock,
               PlatformTransactionManager transactionManager, WindowFirer firer) {
        this.firer = firer;
        this.jdbc = jdbc;
        this.scheduler = scheduler;
        this.properties = properties;
        this.clock = clock;
        this.transactions = new TransactionTemplate(transactionManager);
    }

    void prepare() {
        if (properties.windows()) {
            int filled;
            int total = 0;
            do {
                filled = transactions.execute(status -> fillNextFireAt());
                total += filled;
            } while (filled == BATCH);
            int removed = removeGroup(ScheduleRegistry.GROUP);
            windowTriggers();
            log.info("Firing mode windows: {} groups every {}, horizon {}; {} schedules moved from per-schedule triggers "
                    + "({} triggers removed)", properties.groups(), properties.window(), properties.horizon(), total, removed);
        } else {
            int removed = removeGroup(WINDOW_GROUP);
            if (removed > 0) {
                int created = transactions.execute(status -> perScheduleTriggers());
                log.info("Firing mode per-schedule: {} window triggers removed, {} schedule triggers created", removed, created);
            }
        }
    }

    /**
     * windows: one pass of every group's window fire, before this node's executors claim anything. After
     * an outage the runs enqueued ahead before it are still queued and overdue; this pass folds them into
     * each schedule's one catch-up (see {@link WindowFirer}) before a claim could start them back to back.
     * A failure is only logged: the window triggers make the same pass a moment later.
     *
     * <p>The pass does only what the window triggers would do now: nothing while the cluster is in
     * standby, and nothing for a group whose window trigger is paused. What it leaves stays due and is
     * handled as any standby or pause is — by the group's window fires once the cluster is started or the
     * trigger resumed, under the misfire rule. The flag is read share-locked in each batch's transaction
     * (the first one before anything is locked), so a standby command waits for a batch in progress and
     * the pass enqueues nothing once the command has answered. A pause that comes while its group's pass
     * runs lets that pass finish, as it lets a window fire in progress finish.
     *
     * @param standby the cluster's standby flag; null: none (the pass always runs)
     */
    void catchUp(StandbyGate standby) {
        if (!properties.windows()) {
            return;
        }
        try {
            AtomicBoolean inStandby = new AtomicBoolean();
            BooleanSupplier firing = () -> {
                if (standby != null && standby.lockStandby()) {
                    inStandby.set(true);
                }
                return !inStandby.get();
            };
            if (!Boolean.TRUE.equals(transactions.execute(status -> firing.getAsBoolean()))) {
                log.info("Start-up window pass skipped: the cluster is in standby (the window fires take over once it is started)");
                return;
            }
            int schedules = 0;
            int runs = 0;
            List<String> paused = new ArrayList<>();
            for (int group = 0; group < properties.groups() && !inStandby.get(); group++) {
                TriggerKey key = windowKey(group);
                Trigger.TriggerState state = quartz("read the state of window trigger " + key, () -> scheduler.getTriggerState(key));
                if (state == Trigger.TriggerState.PAUSED) {
                    paused.add(key.getName());
                    continue;
                }
                WindowFirer.Result result = firer.fire(group, firing);
                schedules += result.schedules();
                runs += result.runs();
            }
            if (inStandby.get()) {
                log.info("Start-up window pass stopped: the cluster was put in standby ({} schedules, {} runs enqueued before)",
                        schedules, runs);
            } else if (paused.isEmpty()) {
                log.info("Start-up window pass: {} schedules, {} runs enqueued", schedules, runs);
            } else {
                log.info("Start-up window pass: {} schedules, {} runs enqueued; paused window triggers skipped: {}",
                        schedules, runs, String.join(", ", paused));
            }
        } catch (RuntimeException e) {
            log.warn("Start-up window pass failed ({}); the window triggers take over", e.getMessage(), e);
        }
    }

    static TriggerKey windowKey(int group) {
        return new TriggerKey("window-" + group, WINDOW_GROUP);
    }

    private int fillNextFireAt() {
        Instant now = clock.instant();
        ArrayNode fills = JsonNodeFactory.instance.arrayNode();
        List<UUID> seen = new ArrayList<>();
        jdbc.sql(UNFILLED).param("limit", BATCH).query(rs -> {
            UUID id = rs.getObject("id", UUID.class);
            seen.add(id);
            Schedule schedule = WindowFirer.compile(rs);
            Timestamp handled = rs.getTimestamp("handled");
            Timestamp startAt = rs.getTimestamp("start_at");
            Timestamp endAt = rs.getTimestamp("end_at");
            Instant from = handled != null ? handled.toInstant() : later(rs.getTimestamp("created_at").toInstant(),
                    startAt == null ? null : startAt.toInstant().minus(1, ChronoUnit.MILLIS));
            Optional<Instant> next = schedule.nextAfter(from).filter(i -> endAt == null || !i.isAfter(endAt.toInstant()));
            ObjectNode fill = fills.addObject();
            fill.put("id", id.toString());
            fill.put("next_fire_at", next.orElse(handled != null ? handled.toInstant() : now).toString());
            fill.put("finished", next.isEmpty());
        });
        if (!seen.isEmpty()) {
            jdbc.sql(FILL).param("fills", fills.toString()).update();
        }
        return seen.size();
    }

    private int removeGroup(String group) {
        List<TriggerKey> keys = new ArrayList<>(quartz("list the Quartz triggers of group " + group,
                () -> scheduler.getTriggerKeys(GroupMatcher.triggerGroupEquals(group))));
        if (!keys.isEmpty()) {
            quartz("remove the Quartz triggers of group " + group, () -> scheduler.unscheduleJobs(keys));
        }
        return keys.size();
    }

    private void windowTriggers() {
        long interval = properties.window().toMillis();
        for (int group = 0; group < properties.groups(); group++) {
            TriggerKey key = windowKey(group);
            Trigger existing = quartz("read window trigger " + key, () -> scheduler.getTrigger(key));
            if (existing instanceof SimpleTrigger simple && simple.getRepeatInterval() == interval) {
                continue;
            }
            JobDataMap data = new JobDataMap();
            data.put(EnqueueWindowJob.GROUP_KEY, group);
            Trigger trigger = TriggerBuilder.newTrigger()
                    .withIdentity(key)
                    .forJob(WINDOW_JOB_KEY)
                    .usingJobData(data)
                    // Groups start staggered across the window, so their fires spread out.
                    .startAt(java.util.Date.from(clock.instant().plusMillis(interval * group / properties.groups())))
                    .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                            .withIntervalInMilliseconds(interval)
                            .repeatForever()
                            .withMisfireHandlingInstructionNowWithExistingCount())
                    .build();
            if (existing == null) {
                quartz("create window trigger " + key, () -> {
                    try {
                        return scheduler.scheduleJob(trigger);
                    } catch (ObjectAlreadyExistsException raced) {
                        log.debug("Window trigger {} was created by another node", key);
                        return null;
                    }
                });
            } else {
                // rescheduleJob stores the new trigger WAITING: an operator's pause would be lost with the old one.
                boolean paused = quartz("update window trigger " + key, () -> {
                    boolean wasPaused = scheduler.getTriggerState(key) == Trigger.TriggerState.PAUSED;
                    scheduler.rescheduleJob(key, trigger);
                    if (wasPaused) {
                        scheduler.pauseTrigger(key);
                    }
                    return wasPaused;
                });
                if (paused) {
                    log.info("Window trigger {} now fires every {}; it stays paused", key, properties.window());
                }
            }
        }
        for (TriggerKey key : quartz("list the window triggers", () -> scheduler.getTriggerKeys(GroupMatcher.triggerGroupEquals(WINDOW_GROUP)))) {
            int group = Integer.parseInt(key.getName().substring("window-".length()));
            if (group >= properties.groups()) {
                quartz("remove window trigger " + key, () -> scheduler.unscheduleJob(key));
            }
        }
    }

    /**
     * One Quartz call in a transaction of its own (JobStoreCMT writes in ours). One call per transaction
     * also keeps two nodes started in one JVM — tests — working: Quartz keeps one connection provider
     * per scheduler name, the last node's, and releases its connection through the other node's pool.
     */
    private <T> T quartz(String what, QuartzCall<T> call) {
        return transactions.execute(status -> {
            try {
                return call.run();
            } catch (SchedulerException e) {
                throw new IllegalStateException("Could not " + what + ": " + e.getMessage(), e);
            }
        });
    }

    @FunctionalInterface
    private interface QuartzCall<T> {
        T run() throws SchedulerException;
    }

    private int perScheduleTriggers() {
        jdbc.sql(CLEAR).update();
        int[] created = {0};
        jdbc.sql(ALL_SCHEDULES).query(rs -> {
            UUID id = rs.getObject("id", UUID.class);
            try {
                if (!scheduler.checkExists(ScheduleRegistry.triggerKey(id))) {
                    ScheduleRegistry.scheduleTrigger(scheduler, id, WindowFirer.compile(rs).definition(), rs.getInt("misfire_grace_seconds"));
                    created[0]++;
                }
            } catch (SchedulerException e) {
                // e.g. a schedule with no further occurrence: Quartz refuses a trigger that never fires.
                log.warn("Schedule {} gets no Quartz trigger: {}", id, e.getMessage());
            }
        });
        return created[0];
    }

    private static Instant later(Instant a, Instant b) {
        return b == null || a.isAfter(b) ? a : b;
    }
}
