package io.ordinaut.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.support.Api;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.Nodes;

/**
 * Standby on real nodes sharing one database: one node's standby leaves firing to the others; the
 * cluster's standby stops every node within seconds and holds a node that starts meanwhile; the
 * cluster's start brings every node back.
 */
@Tag("cluster")
class SchedulerStandbyTest {

    static final Map<String, Object> SCHEDULER_ONLY = Map.of("ordinaut.node.roles", "api,scheduler", "ordinaut.trigger.mode", "per-schedule");

    static long jobsExecuted(Api api) {
        return ((Number) api.get("/admin/scheduler").expect(200).get("jobs_executed")).longValue();
    }

    static String state(Api api) {
        return api.get("/admin/scheduler").expect(200).string("state");
    }

    static long runs(JdbcClient jdbc, String taskId) {
        return jdbc.sql("SELECT (SELECT count(*) FROM due_work WHERE task_id = :id) + (SELECT count(*) FROM task_run WHERE task_id = :id)")
                .param("id", UUID.fromString(taskId)).query(Long.class).single();
    }

    @Test
    void standby_stops_firing_on_one_node_or_on_every_node_and_start_brings_them_back() throws Exception {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext a = nodes.start("standby-a", SCHEDULER_ONLY);
            ConfigurableApplicationContext b = nodes.start("standby-b", SCHEDULER_ONLY);
            Api apiA = Nodes.api(a);
            Api apiB = Nodes.api(b);
            JdbcClient jdbc = Nodes.jdbc(a);
            // two tasks on two schedules, so both nodes have triggers to fire
            String one = apiA.post("/tasks", AdminApiTest.secondly("standby one", 1)).expect(201).string("id");
            String two = apiA.post("/tasks", AdminApiTest.secondly("standby two", 2)).expect(201).string("id");
            Eventually.until("both fire", () -> runs(jdbc, one) >= 2 && runs(jdbc, two) >= 2);

            // this node only
            Api.Response standbyA = apiA.post("/admin/scheduler/standby", "").expect(200);
            assertThat(standbyA.details()).containsEntry("scope", "node").containsEntry("state", "standby");
            assertThat(apiA.get("/admin/scheduler").get("standby_reason")).isEqualTo("node");
            assertThat(state(apiB)).isEqualTo("started");
            Thread.sleep(1_500);
            long firedA = jobsExecuted(apiA);
            long firedB = jobsExecuted(apiB);
            long runs = runs(jdbc, one);
            Thread.sleep(3_000);
            assertThat(jobsExecuted(apiA)).as("node a in standby fires nothing").isEqualTo(firedA);
            assertThat(jobsExecuted(apiB)).as("node b fires every trigger").isGreaterThan(firedB + 2);
            assertThat(runs(jdbc, one)).as("the task keeps firing on node b").isGreaterThan(runs);

            // every node
            Api.Response clusterStandby = apiB.post("/admin/scheduler/standby?cluster=true", "").expect(200);
            assertThat(clusterStandby.details()).containsEntry("scope", "cluster");
            assertThat(state(apiB)).as("the node that was asked obeys at once").isEqualTo("standby");
            Eventually.until("every node in standby", () -> state(apiA).equals("standby") && state(apiB).equals("standby"));
            Thread.sleep(1_500);
            long stoppedOne = runs(jdbc, one);
            long stoppedTwo = runs(jdbc, two);
            Thread.sleep(3_000);
            assertThat(runs(jdbc, one)).as("nothing fires in cluster standby").isEqualTo(stoppedOne);
            assertThat(runs(jdbc, two)).isEqualTo(stoppedTwo);

            // a node starting meanwhile stays in standby, and may not start alone
            ConfigurableApplicationContext c = nodes.start("standby-c", SCHEDULER_ONLY);
            Api apiC = Nodes.api(c);
            Map<String, Object> atStart = apiC.get("/admin/scheduler").expect(200).map();
            assertThat(atStart.get("state")).isEqualTo("standby");
            assertThat(atStart.get("standby_reason")).isEqualTo("cluster");
            assertThat(atStart.get("jobs_executed")).isEqualTo(0);
            assertThat(apiC.post("/admin/scheduler/start", "").expect(409).get("error")).isEqualTo("Conflict");
            Thread.sleep(2_000);
            assertThat(state(apiC)).isEqualTo("standby");
            assertThat(runs(jdbc, one)).isEqualTo(stoppedOne);

            // every node again, node a (put in standby on its own before) included
            apiC.post("/admin/scheduler/start?cluster=true", "").expect(200);
            Eventually.until("every node started",
                    () -> state(apiA).equals("started") && state(apiB).equals("started") && state(apiC).equals("started"));
            Eventually.until("the tasks fire again", () -> runs(jdbc, one) >= stoppedOne + 2 && runs(jdbc, two) >= stoppedTwo + 1);
            assertThat(apiA.get("/admin/scheduler").map()).containsEntry("standby_reason", null);
            assertThat(apiA.post("/admin/scheduler/start", "").expect(200).details()).containsEntry("state", "started");
        }
    }
}
