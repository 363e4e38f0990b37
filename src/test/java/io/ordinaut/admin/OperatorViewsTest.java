package io.ordinaut.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.ordinaut.support.Api;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.Nodes;

/**
 * What operators read agrees with itself and with the node's roles: a lost node shows the runs it still holds,
 * not the in_flight it last wrote; a priority with nothing due has waited 0 s, as the queue's top-level figure
 * says; and node-level standby and start are both refused on a node without the scheduler role, while the
 * cluster's commands work from any node.
 */
@Tag("cluster")
class OperatorViewsTest {

    @Test
    void a_lost_node_shows_the_leases_it_still_holds_as_in_flight() {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext node = nodes.start("views-workers");
            Api api = Nodes.api(node);
            // given a node lost an hour ago whose leases were all reclaimed, though it last wrote 8 in flight
            Nodes.jdbc(node).sql("""
                    INSERT INTO worker_heartbeat (node_id, host, pid, roles, started_at, last_seen, in_flight, processed, state)
                    VALUES ('gone', 'gone-host', 1, 'executor', now() - interval '2 hours', now() - interval '1 hour', 8, 100, 'running')
                    """).update();
            Map<String, Object> lost = api.get("/workers?state=lost").expect(200).items().get(0);
            assertThat(lost).containsEntry("node_id", "gone").containsEntry("state", "lost").containsEntry("in_flight", 0);
        }
    }

    @Test
    void a_priority_with_nothing_due_has_waited_zero_seconds_as_the_queue_says() {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext node = nodes.start("views-queue", Map.of("ORDINAUT_TRIGGER_HORIZON", "10m"));
            Api api = Nodes.api(node);
            // given a run queued for later (enqueued ahead within the 10-minute horizon) and none due
            api.post("/tasks", Map.of("title", "later", "schedule_kind", "once",
                    "schedule_expr", Instant.now().plus(5, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString(),
                    "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))))).expect(201);
            Api.Response queue = Eventually.until("the run is queued ahead", () -> api.get("/admin/queue").expect(200),
                    r -> !((List<?>) r.get("by_priority")).isEmpty());
            @SuppressWarnings("unchecked")
            Map<String, Object> priority = ((List<Map<String, Object>>) queue.get("by_priority")).get(0);
            assertThat(priority).containsEntry("due", 0).containsEntry("waiting", 1).containsEntry("oldest_due_age_seconds", 0.0);
            assertThat(queue.get("oldest_waiting_age_seconds")).isEqualTo(0.0);
        }
    }

    @Test
    void node_standby_and_start_are_refused_without_the_scheduler_role_while_cluster_commands_work() {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            Api api = Nodes.api(nodes.start("no-scheduler", Map.of("ORDINAUT_ROLES", "api,executor")));

            Api.Response standby = api.post("/admin/scheduler/standby", "");
            assertThat(standby.status()).as(standby.body()).isEqualTo(409);
            assertThat(standby.get("error")).isEqualTo("Conflict");
            assertThat(standby.string("message")).contains("does not have the scheduler role");
            assertThat(api.post("/admin/scheduler/start", "").expect(409).string("message")).contains("does not have the scheduler role");

            api.post("/admin/scheduler/standby?cluster=true", "").expect(200);
            assertThat(((Map<?, ?>) api.get("/admin/scheduler").expect(200).get("cluster_standby")).get("standby")).isEqualTo(true);
            api.post("/admin/scheduler/start?cluster=true", "").expect(200);
            assertThat(((Map<?, ?>) api.get("/admin/scheduler").expect(200).get("cluster_standby")).get("standby")).isEqualTo(false);
        }
    }
}
