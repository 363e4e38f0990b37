package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.support.Api;
import io.ordinaut.support.Nodes;
import io.ordinaut.support.StartupFailure;

/**
 * A second process with a live node's ORDINAUT_NODE_ID refuses to start, with one line; a node whose id has a
 * fresh heartbeat that is never written again — its own, before a kill -9 — starts.
 */
@Tag("cluster")
@ExtendWith(OutputCaptureExtension.class)
class DuplicateNodeIdTest {

    @Test
    void a_second_node_with_a_live_nodes_id_does_not_start(CapturedOutput output) {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext first = nodes.start("twin");
            long firstPid = Nodes.jdbc(first).sql("SELECT pid FROM worker_heartbeat WHERE node_id = 'twin'").query(Long.class).single();

            int before = output.getAll().length();
            assertThatThrownBy(() -> nodes.start("twin")).isInstanceOf(Exception.class);
            assertThat(StartupFailure.report(output.getAll().substring(before)))
                    .contains("ORDINAUT_NODE_ID (ordinaut.node.id) is 'twin', which a live node uses").doesNotContain("\tat ");

            // the first node goes on, its row untouched
            Nodes.api(first).get("/health/ready").expect(200);
            Map<String, Object> row = Nodes.api(first).get("/workers").expect(200).items().get(0);
            assertThat(row).containsEntry("node_id", "twin").containsEntry("state", "running");
            assertThat(((Number) row.get("pid")).longValue()).isEqualTo(firstPid);
        }
    }

    @Test
    void a_node_restarted_right_after_kill_9_takes_its_fresh_but_silent_heartbeat_over() {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext other = nodes.start("survivor");
            JdbcClient jdbc = Nodes.jdbc(other);
            // given the row a node killed a moment ago left: running, just written, never written again
            jdbc.sql("""
                    INSERT INTO worker_heartbeat (node_id, host, pid, roles, started_at, last_seen, in_flight, processed, state)
                    VALUES ('killed', 'another-host', 4242, 'api,scheduler,executor', now(), now(), 3, 10, 'running')
                    """).update();

            ConfigurableApplicationContext restarted = nodes.start("killed");

            Api api = Nodes.api(restarted);
            api.get("/health/ready").expect(200);
            Map<String, Object> row = api.get("/workers?state=running").expect(200).items().stream()
                    .filter(w -> "killed".equals(w.get("node_id"))).findFirst().orElseThrow();
            assertThat(row.get("host")).isNotEqualTo("another-host");
        }
    }
}
