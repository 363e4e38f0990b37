package io.ordinaut.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.Scheduler;
import org.quartz.impl.JobExecutionContextImpl;
import org.quartz.impl.triggers.SimpleTriggerImpl;
import org.quartz.spi.TriggerFiredBundle;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.NodeTestSupport;

/**
 * A window fire that is already running when the cluster is put in standby stops at its next batch: each
 * batch reads the standby flag share-locked before it locks or enqueues anything, so once the standby
 * command has answered, no window fire enqueues. The node fires nothing by itself (no scheduler role);
 * the test runs the window job as Quartz would.
 */
@TestPropertySource(properties = {
        "ordinaut.trigger.mode=windows",
        "ordinaut.trigger.groups=1",
        "ordinaut.trigger.window=1s",
        "ordinaut.trigger.horizon=2s",
        "ordinaut.node.roles=api"})
class WindowFireStandbyTest extends NodeTestSupport {

    @Autowired
    Scheduler scheduler;

    @Autowired
    WindowFirer firer;

    List<Instant> queued(String taskId) {
        return jdbc.sql("SELECT scheduled_for FROM due_work WHERE task_id = :id ORDER BY 1")
                .param("id", UUID.fromString(taskId)).query(Timestamp.class).list().stream().map(Timestamp::toInstant).toList();
    }

    Instant nextFireAt(String taskId) {
        return jdbc.sql("SELECT s.next_fire_at FROM schedule s JOIN task t ON t.schedule_id = s.id WHERE t.id = :id")
                .param("id", UUID.fromString(taskId)).query(Timestamp.class).single().toInstant();
    }

    void clusterStandby(boolean standby) {
        jdbc.sql("UPDATE scheduler_control SET standby = :s, generation = generation + 1").param("s", standby).update();
    }

    void fireWindow() throws Exception {
        SimpleTriggerImpl trigger = new SimpleTriggerImpl("window-0", FiringMode.WINDOW_GROUP, new Date());
        trigger.setJobKey(FiringMode.WINDOW_JOB_KEY);
        JobDataMap data = new JobDataMap();
        data.put(EnqueueWindowJob.GROUP_KEY, 0);
        trigger.setJobDataMap(data);
        JobDetail detail = JobBuilder.newJob(EnqueueWindowJob.class).withIdentity(FiringMode.WINDOW_JOB_KEY).build();
        EnqueueWindowJob job = new EnqueueWindowJob(firer);
        TriggerFiredBundle bundle = new TriggerFiredBundle(detail, trigger, null, false, new Date(), new Date(), null, null);
        job.execute(new JobExecutionContextImpl(scheduler, bundle, job));
    }

    @Test
    void a_window_fire_enqueues_nothing_once_the_cluster_is_in_standby() throws Exception {
        String task = api.post("/tasks", Map.of("title", "standby mid-fire", "schedule_kind", "rrule", "schedule_expr", "FREQ=SECONDLY",
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))))).expect(201).string("id");
        List<Instant> created = queued(task);
        assertThat(created).as("runs enqueued ahead by the creation").isNotEmpty();
        try {
            // given the cluster put in standby, and the schedule due again within the horizon
            clusterStandby(true);
            Thread.sleep(1_500);
            Instant next = nextFireAt(task);
            assertThat(next).isBefore(Instant.now().plusSeconds(2));

            // when a window fire of its group runs
            fireWindow();

            // then it enqueued nothing and left the schedule where it was
            assertThat(queued(task)).isEqualTo(created);
            assertThat(nextFireAt(task)).isEqualTo(next);
        } finally {
            clusterStandby(false);
        }

        // and once the cluster is started, the next fire enqueues
        fireWindow();
        assertThat(queued(task)).hasSizeGreaterThan(created.size());
    }
}
