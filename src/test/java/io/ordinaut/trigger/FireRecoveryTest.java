package io.ordinaut.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;

/**
 * A node dies while it runs the enqueue job of a catch-up fire: what Quartz's clustered store holds
 * then is the dead instance's stale check-in and its fired-trigger row (the job requests recovery).
 * The live node's Quartz recovers the fire, and the run is enqueued for the missed occurrence the
 * catch-up stood for, not for the moment the fire was due or re-run. Per-schedule firing only: a window
 * fire whose node dies changes nothing, and the group's next fire takes the same schedules.
 */
@Tag("cluster")
@TestPropertySource(properties = "ordinaut.trigger.mode=per-schedule")
class FireRecoveryTest extends NodeTestSupport {

    @Test
    void a_catch_up_fire_lost_with_its_node_is_recovered_for_the_missed_occurrence() throws Exception {
        String taskId = api.post("/tasks", Map.of("title", "minutely", "schedule_kind", "cron", "schedule_expr", "* * * * *",
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))))).expect(201).string("id");
        String scheduleId = jdbc.sql("SELECT CAST(schedule_id AS text) FROM task WHERE id = CAST(:id AS uuid)")
                .param("id", taskId).query(String.class).single();
        jdbc.sql("UPDATE task SET active_since = now() - interval '1 hour' WHERE id = CAST(:id AS uuid)").param("id", taskId).update();
        String scheduler = jdbc.sql("SELECT sched_name FROM qrtz_scheduler_state LIMIT 1").query(String.class).single();
        // the minute before the task existed, caught up 17.3 s later by a node that died mid-job
        Instant missedMinute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minusSeconds(60);
        long due = missedMinute.plusMillis(17_300).toEpochMilli();

        jdbc.sql("""
                INSERT INTO qrtz_scheduler_state (sched_name, instance_name, last_checkin_time, checkin_interval)
                VALUES (:sched, 'dead-node', :checkin, 5000)""")
                .param("sched", scheduler).param("checkin", System.currentTimeMillis() - 60_000).update();
        jdbc.sql("""
                INSERT INTO qrtz_fired_triggers (sched_name, entry_id, trigger_name, trigger_group, instance_name, fired_time,
                                                 sched_time, priority, state, job_name, job_group, is_nonconcurrent,
                                                 requests_recovery)
                VALUES (:sched, 'dead-node-1', :trigger, :group, 'dead-node', :due, :due, 5, 'EXECUTING', :job, :jobGroup,
                        false, true)""")
                .param("sched", scheduler).param("trigger", scheduleId).param("group", ScheduleRegistry.GROUP)
                .param("due", due).param("job", ScheduleRegistry.JOB_KEY.getName()).param("jobGroup", ScheduleRegistry.JOB_KEY.getGroup())
                .update();

        List<Instant> recovered = Eventually.until("the dead node's fire recovered", Duration.ofSeconds(60), () -> jdbc.sql("""
                        SELECT scheduled_for FROM due_work WHERE task_id = CAST(:id AS uuid) AND scheduled_for <= :due
                        UNION ALL
                        SELECT scheduled_for FROM task_run WHERE task_id = CAST(:id AS uuid) AND scheduled_for <= :due""")
                .param("id", taskId).param("due", new Timestamp(due))
                .query((rs, i) -> rs.getTimestamp(1).toInstant()).list(), runs -> !runs.isEmpty());

        assertThat(recovered).as("the recovered fire's runs").containsExactly(missedMinute);
        assertThat(jdbc.sql("SELECT count(*) FROM qrtz_fired_triggers WHERE instance_name = 'dead-node'").query(Long.class).single())
                .as("the dead node's fire was taken over").isZero();
    }
}
