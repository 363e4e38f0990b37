package io.ordinaut.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobExecutionException;
import org.quartz.Scheduler;
import org.quartz.impl.JobExecutionContextImpl;
import org.quartz.impl.triggers.SimpleTriggerImpl;
import org.quartz.spi.OperableTrigger;
import org.quartz.spi.TriggerFiredBundle;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;

import io.ordinaut.schedule.Schedule;
import io.ordinaut.schedule.ScheduleDefinition;
import io.ordinaut.schedule.ScheduleKind;
import io.ordinaut.schedule.Schedules;
import io.ordinaut.support.NodeTestSupport;

/**
 * Occurrences are never lost between "enqueued" and "missed": a late fire of an earlier occurrence is
 * not swallowed by a later one, a failed enqueue goes back to Quartz, and a fire Quartz recovers after a
 * node died mid-job stands for the right occurrence. The fires here are the real job and enqueuer, given
 * the contexts Quartz would give them, on instants far from the ones the node's own trigger fires.
 */
@Import(FaultyConnections.Config.class)
class OccurrenceLedgerTest extends NodeTestSupport {

    private static final String RULE = "FREQ=SECONDLY;INTERVAL=10";

    @Autowired
    OccurrenceEnqueuer enqueuer;

    @Autowired
    Scheduler scheduler;

    private static final AtomicInteger SCHEDULES = new AtomicInteger();

    // Each test's task gets a shared schedule of its own (the grace is part of the sharing key), so no
    // test sees occurrences another test enqueued.
    static Map<String, Object> task(String kind, String expr) {
        return Map.of("title", kind + " task", "schedule_kind", kind, "schedule_expr", expr,
                "misfire_grace_seconds", 3600 + SCHEDULES.incrementAndGet(),
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
    }

    @Test
    void a_late_fire_of_an_earlier_occurrence_is_enqueued_after_a_later_one_was() {
        String taskId = api.post("/tasks", task("rrule", RULE)).expect(201).string("id");
        UUID scheduleId = scheduleOf(taskId);
        Instant first = aheadAligned(3600);
        Instant second = first.plusSeconds(10);

        enqueuer.enqueue(scheduleId, second, schedule(), null, Instant.now(), 3600, false);
        // the fire of the earlier occurrence failed and is run again (refire, recovery) after the later one committed
        enqueuer.enqueue(scheduleId, first, schedule(), null, Instant.now(), 3600, false);
        enqueuer.enqueue(scheduleId, first, schedule(), null, Instant.now(), 3600, false);

        assertThat(queued(taskId, first)).as("earlier occurrence, once").isOne();
        assertThat(queued(taskId, second)).isOne();
    }

    @Test
    void a_fire_later_than_the_misfire_grace_records_its_occurrence_missed_once() {
        String taskId = api.post("/tasks", task("rrule", RULE)).expect(201).string("id");
        UUID scheduleId = scheduleOf(taskId);
        jdbc.sql("UPDATE task SET active_since = now() - interval '1 hour' WHERE id = CAST(:id AS uuid)").param("id", taskId).update();
        Instant tenMinutesAgo = Instant.ofEpochSecond(Instant.now().minusSeconds(600).getEpochSecond() / 10 * 10);

        enqueuer.enqueue(scheduleId, tenMinutesAgo, schedule(), null, Instant.now(), 120, false);
        enqueuer.enqueue(scheduleId, tenMinutesAgo, schedule(), null, Instant.now(), 120, false);

        assertThat(queued(taskId, tenMinutesAgo)).as("too late to run").isZero();
        List<Map<String, Object>> missed = jdbc.sql("""
                SELECT first_missed, missed_count FROM missed_occurrence WHERE task_id = CAST(:id AS uuid)""")
                .param("id", taskId).query().listOfRows();
        assertThat(missed).hasSize(1);
        assertThat(((Timestamp) missed.get(0).get("first_missed")).toInstant()).isEqualTo(tenMinutesAgo);
        assertThat(((Number) missed.get(0).get("missed_count")).intValue()).isOne();
    }

    @Test
    void the_next_fire_enqueues_an_occurrence_whose_own_fire_was_given_up() {
        String taskId = api.post("/tasks", task("rrule", RULE)).expect(201).string("id");
        UUID scheduleId = scheduleOf(taskId);
        Instant given = aheadAligned(7200);

        enqueuer.enqueue(scheduleId, given.plusSeconds(10), schedule(), given, Instant.now(), 3600, false);

        assertThat(queued(taskId, given)).isOne();
        assertThat(queued(taskId, given.plusSeconds(10))).isOne();
    }

    @Test
    void a_failed_enqueue_is_handed_back_to_quartz_and_enqueued_when_refired() throws Exception {
        String taskId = api.post("/tasks", task("rrule", RULE)).expect(201).string("id");
        UUID scheduleId = scheduleOf(taskId);
        Instant occurrence = aheadAligned(10_800);
        EnqueueOccurrenceJob job = new EnqueueOccurrenceJob(enqueuer);
        ScheduleTrigger trigger = new ScheduleTrigger(schedule().definition(), 3600);
        trigger.setKey(ScheduleRegistry.triggerKey(scheduleId));
        trigger.setJobKey(ScheduleRegistry.JOB_KEY);
        trigger.setNextFireTime(Date.from(occurrence.plusSeconds(10)));
        JobExecutionContextImpl context = context(trigger, false, occurrence);

        // the database stays out of reach for longer than the job retries in place
        FaultyConnections.failNext(EnqueueOccurrenceJob.ATTEMPTS);
        JobExecutionException handedBack = catchThrowableOfType(JobExecutionException.class, () -> job.execute(context));

        assertThat(handedBack).as("the fire goes back to Quartz").isNotNull();
        assertThat(handedBack.refireImmediately()).isTrue();
        assertThat(queued(taskId, occurrence)).isZero();

        // what Quartz does with it: run the job again, while the database is still flaky
        FaultyConnections.failNext(2);
        context.incrementRefireCount();
        job.execute(context);

        assertThat(FaultyConnections.remaining()).isZero();
        assertThat(queued(taskId, occurrence)).isOne();
    }

    @Test
    void a_recovered_final_fire_completes_the_once_task() throws Exception {
        Instant at = Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS);
        String taskId = api.post("/tasks", task("once", at.toString())).expect(201).string("id");
        UUID scheduleId = scheduleOf(taskId);

        new EnqueueOccurrenceJob(enqueuer).execute(context(recoveryTrigger(scheduleId, at), true, at));

        assertThat(queued(taskId, at)).isOne();
        assertThat(api.get("/tasks/" + taskId).get("status")).isEqualTo("completed");
        assertThat(jdbc.sql("SELECT count(*) FROM schedule WHERE id = :id").param("id", scheduleId).query(Long.class).single())
                .isZero();
    }

    @Test
    void a_recovered_catch_up_fire_enqueues_the_missed_occurrence_not_the_recovery_time() throws Exception {
        String taskId = api.post("/tasks", task("cron", "* * * * *")).expect(201).string("id");
        UUID scheduleId = scheduleOf(taskId);
        jdbc.sql("UPDATE task SET active_since = now() - interval '1 hour' WHERE id = CAST(:id AS uuid)").param("id", taskId).update();
        // a catch-up fire for the minute before the task existed (so the node's own trigger never fired it),
        // scheduled 17.3 s after that minute, and lost with its node
        Instant missedMinute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minusSeconds(60);
        Instant catchUpDue = missedMinute.plusMillis(17_300);

        new EnqueueOccurrenceJob(enqueuer).execute(context(recoveryTrigger(scheduleId, catchUpDue), true, catchUpDue));

        assertThat(jdbc.sql("""
                SELECT scheduled_for FROM due_work WHERE task_id = CAST(:id AS uuid) AND scheduled_for <= :due
                UNION ALL
                SELECT scheduled_for FROM task_run WHERE task_id = CAST(:id AS uuid) AND scheduled_for <= :due""")
                .param("id", taskId).param("due", Timestamp.from(catchUpDue))
                .query((rs, i) -> rs.getTimestamp(1).toInstant()).list())
                .containsExactly(missedMinute);
    }

    @AfterEach
    void healthy() {
        FaultyConnections.failNext(0);
    }

    private JobExecutionContextImpl context(OperableTrigger trigger, boolean recovering, Instant scheduled) {
        JobDetail detail = JobBuilder.newJob(EnqueueOccurrenceJob.class).withIdentity(ScheduleRegistry.JOB_KEY).build();
        TriggerFiredBundle bundle = new TriggerFiredBundle(detail, trigger, null, recovering, new Date(), Date.from(scheduled),
                null, trigger.getNextFireTime());
        return new JobExecutionContextImpl(scheduler, bundle, new EnqueueOccurrenceJob(enqueuer));
    }

    // What Quartz builds on a surviving node for a fire whose node died mid-job.
    private static SimpleTriggerImpl recoveryTrigger(UUID scheduleId, Instant due) {
        SimpleTriggerImpl recovery = new SimpleTriggerImpl("recover_dead-node_1", Scheduler.DEFAULT_RECOVERY_GROUP, new Date());
        recovery.setJobKey(ScheduleRegistry.JOB_KEY);
        JobDataMap data = new JobDataMap();
        data.put(Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_NAME, scheduleId.toString());
        data.put(Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_GROUP, ScheduleRegistry.GROUP);
        data.put(Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_FIRETIME_IN_MILLISECONDS, String.valueOf(due.toEpochMilli()));
        data.put(Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_SCHEDULED_FIRETIME_IN_MILLISECONDS, String.valueOf(due.toEpochMilli()));
        recovery.setJobDataMap(data);
        return recovery;
    }

    private static Schedule schedule() {
        return Schedules.compile(new ScheduleDefinition(ScheduleKind.RRULE, RULE, Schedules.zone("UTC"), Instant.now(), null, null));
    }

    private static Instant aheadAligned(long seconds) {
        return Instant.ofEpochSecond((Instant.now().getEpochSecond() + seconds) / 10 * 10);
    }

    private UUID scheduleOf(String taskId) {
        return jdbc.sql("SELECT schedule_id FROM task WHERE id = CAST(:id AS uuid)").param("id", taskId).query(UUID.class).single();
    }

    private long queued(String taskId, Instant occurrence) {
        return jdbc.sql("""
                SELECT (SELECT count(*) FROM due_work WHERE task_id = CAST(:id AS uuid) AND scheduled_for = :at)
                     + (SELECT count(*) FROM task_run WHERE task_id = CAST(:id AS uuid) AND scheduled_for = :at)""")
                .param("id", taskId).param("at", Timestamp.from(occurrence)).query(Long.class).single();
    }
}
