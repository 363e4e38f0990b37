package io.ordinaut.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.ordinaut.support.Api;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.Nodes;

/**
 * Standby is a normal operator state, not a fault: a node in standby — on its own, by the cluster's flag,
 * or started while the cluster was in standby — is ready and healthy, and only says that it does not fire.
 */
@Tag("cluster")
class StandbyHealthTest {

    @SuppressWarnings("unchecked")
    static Map<String, Object> check(Api.Response response, String name) {
        return (Map<String, Object>) ((Map<String, Object>) response.get("checks")).get(name);
    }

    static String state(Api api) {
        return api.get("/admin/scheduler").expect(200).string("state");
    }

    @Test
    void a_node_started_during_cluster_standby_is_ready_and_fires_once_the_cluster_is_started() {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext first = nodes.start("held-a");
            Api apiFirst = Nodes.api(first);
            apiFirst.post("/admin/scheduler/standby?cluster=true", "").expect(200);

            // given a node started while the cluster is in standby
            ConfigurableApplicationContext late = nodes.start("held-b");
            Api apiLate = Nodes.api(late);
            assertThat(apiLate.get("/admin/scheduler").expect(200).map())
                    .containsEntry("state", "standby").containsEntry("standby_reason", "cluster").containsEntry("jobs_executed", 0);

            // then it is ready (its Quartz is held, not broken), for anonymous callers and admins alike
            Api.Response ready = apiLate.get("/health/ready");
            assertThat(ready.status()).as(ready.body()).isEqualTo(200);
            assertThat(ready.get("status")).isEqualTo("ready");
            assertThat(check(ready, "scheduler")).containsEntry("status", "healthy").containsEntry("started", true)
                    .containsEntry("firing", false).containsEntry("held_by_cluster_standby", true);
            apiLate.as(null).get("/health/ready").expect(200);

            // when the cluster is started, it starts too and fires: alone, once the other node is gone
            apiFirst.post("/admin/scheduler/start?cluster=true", "").expect(200);
            Eventually.until("the late node started", () -> state(apiLate).equals("started"));
            Api.Response after = apiLate.get("/health/ready").expect(200);
            assertThat(check(after, "scheduler")).containsEntry("started", true).containsEntry("firing", true)
                    .doesNotContainKey("held_by_cluster_standby");
            nodes.stop(first);
            Eventually.until("the late node fires the window triggers",
                    () -> ((Number) apiLate.get("/admin/scheduler").expect(200).get("jobs_executed")).longValue() > 0);
        }
    }

    @Test
    void a_node_in_standby_on_its_own_or_by_the_cluster_is_healthy_and_says_it_does_not_fire() {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            Api api = Nodes.api(nodes.start("standby-health"));

            api.post("/admin/scheduler/standby", "").expect(200);
            healthyWithoutFiring(api);

            api.post("/admin/scheduler/start", "").expect(200);
            api.post("/admin/scheduler/standby?cluster=true", "").expect(200);
            healthyWithoutFiring(api);

            api.post("/admin/scheduler/start?cluster=true", "").expect(200);
            Api.Response firing = api.get("/health").expect(200);
            assertThat(check(firing, "scheduler")).containsEntry("status", "healthy").containsEntry("firing", true);
        }
    }

    private static void healthyWithoutFiring(Api api) {
        Api.Response health = api.get("/health");
        assertThat(health.status()).as(health.body()).isEqualTo(200);
        assertThat(health.get("status")).as(health.body()).isEqualTo("healthy");
        assertThat(check(health, "scheduler")).containsEntry("status", "healthy").containsEntry("firing", false);
        assertThat(api.as(null).get("/health").get("status")).isEqualTo("healthy");
        api.get("/health/ready").expect(200);
    }
}
