package io.ordinaut.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.ordinaut.support.Api;
import io.ordinaut.support.Nodes;

/**
 * What operators read agrees with itself and with the node's roles: node-level standby and start are both
 * refused on a node without the scheduler role, while the cluster's commands work from any node.
 */
@Tag("cluster")
class OperatorViewsTest {

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
