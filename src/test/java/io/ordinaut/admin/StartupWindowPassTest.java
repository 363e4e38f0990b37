package io.ordinaut.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.ordinaut.support.Api;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.Nodes;
import io.ordinaut.trigger.StandbyGate;

/**
 * The window pass a scheduler node makes as it starts (windows mode) does only what the window triggers
 * would do: nothing while the cluster is in standby, nothing for a group whose window trigger is paused.
 * What it leaves is handled by the window fires once the cluster starts or the trigger resumes, under the
 * misfire rule. Nodes without executors, so every run enqueued stays queued and can be counted.
 */
@Tag("cluster")
class StartupWindowPassTest {

    /** A 2 s outage threshold, so a standby or pause of a few seconds is an outage to the misfire rule. */
    static final Map<String, Object> WINDOWS = Map.of(
            "ordinaut.node.roles", "api,scheduler",
            "ordinaut.trigger.mode", "windows",
            "ordinaut.trigger.groups", 2,
            "ordinaut.trigger.window", "1s",
            "ordinaut.trigger.horizon", "2s",
            "ordinaut.trigger.outage-threshold", "2s");

    static List<Instant> enqueued(JdbcClient jdbc, String taskId) {
        return jdbc.sql("""
                SELECT scheduled_for FROM due_work WHERE task_id = :id
                UNION ALL SELECT scheduled_for FROM task_run WHERE task_id = :id
                ORDER BY 1""")
                .param("id", UUID.fromString(taskId)).query(Timestamp.class).list().stream().map(Timestamp::toInstant).toList();
    }

    static List<Map<String, Object>> misfires(Api api, String taskId) {
        return api.get("/admin/misfires?task_id=" + taskId).expect(200).items();
    }

    static void bucket(JdbcClient jdbc, String taskId, int group) {
        jdbc.sql("UPDATE schedule SET fire_bucket = :b WHERE id = (SELECT schedule_id FROM task WHERE id = :id)")
                .param("b", group).param("id", UUID.fromString(taskId)).update();
    }

    @Test
    void a_node_started_while_the_cluster_is_in_standby_enqueues_nothing_until_the_cluster_starts() throws Exception {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext a = nodes.start("pass-standby-a", WINDOWS);
            Api apiA = Nodes.api(a);
            JdbcClient jdbc = Nodes.jdbc(a);
            String task = apiA.post("/tasks", AdminApiTest.secondly("standby pass", 1)).expect(201).string("id");
            Eventually.until("the task's runs enqueued ahead", () -> enqueued(jdbc, task).size() >= 2);

            // given the cluster in standby, and what its last fires enqueued ahead
            apiA.post("/admin/scheduler/standby?cluster=true", "").expect(200);
            Thread.sleep(1_500);
            List<Instant> atStandby = enqueued(jdbc, task);
            Thread.sleep(3_000);

            // when another scheduler node starts
            ConfigurableApplicationContext b = nodes.start("pass-standby-b", WINDOWS);
            Api apiB = Nodes.api(b);

            // then it stays in standby and its start-up pass enqueued nothing: no catch-up, no occurrence
            assertThat(apiB.get("/admin/scheduler").expect(200).map()).containsEntry("state", "standby")
                    .containsEntry("standby_reason", "cluster");
            assertThat(enqueued(jdbc, task)).as("runs after node b started").isEqualTo(atStandby);
            assertThat(misfires(apiB, task)).isEmpty();
            Thread.sleep(2_000);
            assertThat(enqueued(jdbc, task)).as("runs while the cluster stays in standby").isEqualTo(atStandby);

            // and once the cluster starts, the window fires apply the misfire rule: one catch-up run for the
            // occurrences due during the standby, the others recorded coalesced into it
            Instant started = Instant.now();
            apiB.post("/admin/scheduler/start?cluster=true", "").expect(200);
            Eventually.until("the standby's occurrences recorded coalesced", () -> !misfires(apiB, task).isEmpty());
            Map<String, Object> missed = misfires(apiB, task).get(0);
            assertThat(missed.get("outcome")).isEqualTo("coalesced");
            assertThat(((Number) missed.get("missed_count")).intValue()).isGreaterThanOrEqualTo(3);
            List<Instant> since = new ArrayList<>(enqueued(jdbc, task));
            since.removeAll(atStandby);
            assertThat(since.stream().filter(at -> at.isBefore(started)).toList())
                    .as("runs enqueued for occurrences due during the standby: the catch-up at most").hasSizeLessThanOrEqualTo(1);
            Eventually.until("the task fires again", () -> enqueued(jdbc, task).stream().filter(at -> at.isAfter(started)).count() >= 2);
        }
    }

    @Test
    void a_node_starting_skips_a_paused_window_trigger_and_its_group_fires_again_on_resume() throws Exception {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext a = nodes.start("pass-paused-a", WINDOWS);
            Api apiA = Nodes.api(a);
            String paused = apiA.post("/tasks", AdminApiTest.secondly("paused group", 1)).expect(201).string("id");
            // (another interval: tasks with the same schedule share it, and so its group)
            String live = apiA.post("/tasks", AdminApiTest.secondly("live group", 2)).expect(201).string("id");
            JdbcClient jdbcA = Nodes.jdbc(a);
            bucket(jdbcA, paused, 0);
            bucket(jdbcA, live, 1);
            Eventually.until("both tasks' runs enqueued ahead",
                    () -> enqueued(jdbcA, paused).size() >= 2 && enqueued(jdbcA, live).size() >= 2);

            // given window-0 paused, then every node stopped for a few seconds
            apiA.post("/admin/triggers/window-0/pause", "").expect(200);
            Thread.sleep(1_500);
            List<Instant> pausedAtStop = enqueued(jdbcA, paused);
            nodes.stop(a);
            Thread.sleep(3_000);

            // when a node starts again
            ConfigurableApplicationContext b = nodes.start("pass-paused-b", WINDOWS);
            Api apiB = Nodes.api(b);
            JdbcClient jdbc = Nodes.jdbc(b);
            long liveAtStart = enqueued(jdbc, live).size();

            // then the paused group's task got nothing from the start-up pass, and the trigger still says paused,
            // while the other group fires on
            assertThat(enqueued(jdbc, paused)).as("runs of the paused group's task after node b started").isEqualTo(pausedAtStop);
            assertThat(apiB.get("/admin/triggers/window-0").expect(200).get("state")).isEqualTo("PAUSED");
            assertThat(misfires(apiB, paused)).as("no catch-up for the paused group").isEmpty();
            Eventually.until("the live group fires", () -> enqueued(jdbc, live).size() > liveAtStart);
            Thread.sleep(2_000);
            assertThat(enqueued(jdbc, paused)).as("runs of the paused group's task while paused").isEqualTo(pausedAtStop);

            // and on resume the group fires again, its occurrences missed while paused under the misfire rule
            Instant resumed = Instant.now();
            apiB.post("/admin/triggers/window-0/resume", "").expect(200);
            Eventually.until("the pause's occurrences recorded coalesced", () -> !misfires(apiB, paused).isEmpty());
            assertThat(misfires(apiB, paused).get(0).get("outcome")).isEqualTo("coalesced");
            Eventually.until("the paused group fires again",
                    () -> enqueued(jdbc, paused).stream().filter(at -> at.isAfter(resumed)).count() >= 2);
        }
    }

    @Test
    void a_cluster_standby_command_waits_for_a_start_up_pass_batch_in_progress() throws Exception {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext a = nodes.start("pass-race-a", WINDOWS);
            Api api = Nodes.api(a);
            StandbyGate gate = a.getBean(StandbyGate.class);
            TransactionTemplate transactions = new TransactionTemplate(a.getBean(PlatformTransactionManager.class));

            // given a batch of the start-up pass in progress: it read the flag (not in standby) and is enqueuing
            CountDownLatch read = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Boolean> batch = CompletableFuture.supplyAsync(() -> transactions.execute(status -> {
                boolean standby = gate.lockStandby();
                read.countDown();
                Eventually.released(release);
                return standby;
            }));
            assertThat(read.await(30, TimeUnit.SECONDS)).isTrue();

            // when the cluster is put in standby meanwhile
            CompletableFuture<Api.Response> command = CompletableFuture.supplyAsync(
                    () -> api.post("/admin/scheduler/standby?cluster=true", ""));
            Thread.sleep(1_000);

            // then the command answers only once the batch has committed, and the pass's next batch sees the standby
            assertThat(command).as("the standby command while a batch holds the flag").isNotDone();
            release.countDown();
            assertThat(batch.get(30, TimeUnit.SECONDS)).isFalse();
            command.get(30, TimeUnit.SECONDS).expect(200);
            Boolean standbyNow = transactions.execute(status -> gate.lockStandby());
            assertThat(standbyNow).isTrue();
        }
    }
}
