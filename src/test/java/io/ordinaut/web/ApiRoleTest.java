package io.ordinaut.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.ordinaut.support.Api;
import io.ordinaut.support.Nodes;

/**
 * A node started without the api role (ORDINAUT_ROLES=executor) serves no API — REST, MCP, the console, the
 * API description — and says so in the one error shape, while the health probes and the admin's actuator
 * endpoints keep answering, so it can be monitored.
 */
@Tag("cluster")
class ApiRoleTest {

    @Test
    void a_node_without_the_api_role_refuses_the_api_and_still_answers_its_health_checks() {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext executor = nodes.start("executor-only", Map.of("ORDINAUT_ROLES", "executor"));
            Api api = Nodes.api(executor);

            for (String path : List.of("/tasks", "/admin/scheduler", "/workers", "/", "/v3/api-docs", "/console")) {
                refused(api.get(path));
            }
            refused(api.as(null).get("/tasks"));
            refused(api.post("/tasks", Map.of("title", "not here", "schedule_kind", "once", "schedule_expr", "2099-01-01T00:00:00Z",
                    "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))))));
            refused(api.post("/mcp", Map.of("jsonrpc", "2.0", "id", 1, "method", "tools/list")));
            assertThat(Nodes.jdbc(executor).sql("SELECT count(*) FROM task").query(Long.class).single()).isZero();

            api.as(null).get("/health/ready").expect(200);
            api.as(null).get("/health/live").expect(200);
            assertThat(api.get("/health").expect(200).get("roles")).isEqualTo(List.of("executor"));
            api.as(null).get("/actuator/health/liveness").expect(200);
            api.as(null).get("/actuator/health/readiness").expect(200);
            api.get("/actuator/prometheus").expect(200);
            api.as(null).get("/actuator/prometheus").expect(401);
        }
    }

    private static void refused(Api.Response response) {
        assertThat(response.status()).as(response.request() + ": " + response.body()).isEqualTo(503);
        assertThat(response.get("error")).isEqualTo("ServiceUnavailable");
        assertThat(response.string("message")).contains("does not serve the API").contains("executor");
        assertThat(response.details()).containsEntry("required_role", "api");
        assertThat(response.get("request_id")).isNotNull().isEqualTo(response.header("X-Request-Id"));
    }
}
