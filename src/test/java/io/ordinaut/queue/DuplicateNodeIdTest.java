package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import io.ordinaut.support.Api;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.Nodes;
import io.ordinaut.support.PipelineSteps;
import io.ordinaut.support.StartupFailure;
import io.ordinaut.support.TestDatabases;

/**
 * A second process with a live node's ORDINAUT_NODE_ID refuses to start, with one line; a node whose id has a
 * fresh heartbeat that is never written again — its own, before a kill -9 — starts. A node shutting down keeps
 * its id while it drains (heartbeat {@code draining}, still written) and gives it up ({@code stopped}) only after.
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

    @Test
    void a_draining_node_beats_draining_keeps_its_id_and_writes_stopped_only_after_its_runs_are_recorded() throws Exception {
        CountDownLatch called = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (SlowTools tools = new SlowTools().answering("/held", 200, 0, "{\"ok\": true}", () -> {
                    called.countDown();
                    Eventually.released(release);
                }).start();
             Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext first = nodes.start("drainer", Map.of("ordinaut.tools.allow-loopback", true,
                    "ordinaut.executor.heartbeat-interval-ms", 200, "ordinaut.executor.shutdown-grace-seconds", 60));
            JdbcClient db = JdbcClient.create(new DriverManagerDataSource(nodes.databaseUrl(), TestDatabases.user(), TestDatabases.password()));
            Api api = Nodes.api(first);
            tools.register(api, "drain.held", "/held");
            String runId = SlowTools.runNow(api, SlowTools.task(api, "held until released", Map.of(),
                    List.of(PipelineSteps.step("held", "drain.held", Map.of()))));
            assertThat(called.await(30, TimeUnit.SECONDS)).as("the run calls the tool").isTrue();

            // when the node is told to stop (SIGTERM closes the context) while its run is held
            Thread closing = new Thread(() -> nodes.stop(first), "closing-drainer");
            closing.start();
            try {
                // then while the run drains the row says draining, and it is still written
                Timestamp seen = Eventually.until("the heartbeat says draining", () -> heartbeat(db), r -> "draining".equals(r.state())).lastSeen();
                Eventually.until("the draining heartbeat is written again", () -> heartbeat(db),
                        r -> "draining".equals(r.state()) && r.lastSeen().after(seen));
                // and a second process with the id is refused
                assertThatThrownBy(() -> nodes.start("drainer")).isInstanceOf(Exception.class);
                assertThat(heartbeat(db).state()).as("still draining after the refusal").isEqualTo("draining");
            } finally {
                release.countDown();
                closing.join(TimeUnit.SECONDS.toMillis(90));
            }

            // and once closed: the run's result is written, and the heartbeat says stopped
            assertThat(closing.isAlive()).as("the node closed").isFalse();
            assertThat(db.sql("SELECT status FROM task_run WHERE run_id = CAST(:id AS uuid)").param("id", runId).query(String.class).single())
                    .isEqualTo("succeeded");
            assertThat(heartbeat(db).state()).isEqualTo("stopped");
        }
    }

    private record Beat(String state, Timestamp lastSeen) {
    }

    private static Beat heartbeat(JdbcClient db) {
        return db.sql("SELECT state, last_seen FROM worker_heartbeat WHERE node_id = 'drainer'")
                .query((rs, i) -> new Beat(rs.getString("state"), rs.getTimestamp("last_seen"))).single();
    }
}
