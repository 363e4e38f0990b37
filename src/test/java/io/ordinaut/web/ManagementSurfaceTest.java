package io.ordinaut.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;

/** What the management surface shows to whom: actuator, /health, /workers, and how refusals are audited. */
// Every call comes from 127.0.0.1, and the walks below make many refused calls on purpose.
@TestPropertySource(properties = "ordinaut.security.unauthenticated-burst=10000")
class ManagementSurfaceTest extends NodeTestSupport {

    record TestAgent(String id, String token) {
    }

    TestAgent agent(String... scopes) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "agent-" + UUID.randomUUID().toString().substring(0, 8));
        body.put("scopes", List.of(scopes));
        String id = api.post("/agents", body).expect(201).string("id");
        String secret = api.post("/agents/" + id + "/credentials", "{}").expect(200).string("agent_secret");
        String token = api.as(null).post("/agents/auth/token", Map.of("agent_id", id, "agent_secret", secret)).expect(200)
                .string("access_token");
        return new TestAgent(id, token);
    }

    @Test
    void workers_show_host_and_pid_to_admins_only() {
        Map<String, Object> seenByAdmin = api.get("/workers").expect(200).items().get(0);
        assertThat(seenByAdmin.get("host")).isNotNull();
        assertThat(seenByAdmin.get("pid")).isNotNull();

        Api reader = api.as(agent(Scopes.RUNS_READ).token());
        Map<String, Object> seenByAgent = reader.get("/workers").expect(200).items().get(0);
        assertThat(seenByAgent.get("node_id")).isEqualTo(seenByAdmin.get("node_id"));
        assertThat(seenByAgent.get("state")).isEqualTo(seenByAdmin.get("state"));
        assertThat(seenByAgent.get("host")).isNull();
        assertThat(seenByAgent.get("pid")).isNull();
        assertThat(reader.get("/workers").body()).doesNotContain(seenByAdmin.get("host").toString() + "\"");
    }

    @Test
    void every_actuator_endpoint_needs_an_admin_token_except_the_probes() {
        Api anonymous = api.as(null);
        Api agent = api.as(agent(Scopes.TASKS_READ, Scopes.RUNS_READ).token());
        List<String> paths = new ArrayList<>(List.of("/actuator"));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> links = (Map<String, Map<String, Object>>) api.get("/actuator").expect(200).get("_links");
        for (Map<String, Object> link : links.values()) {
            String href = link.get("href").toString();
            String path = href.substring(href.indexOf("/actuator"))
                    .replace("{*path}", "db")
                    .replace("{requiredMetricName}", "jvm.memory.used");
            if (!paths.contains(path)) {
                paths.add(path);
            }
        }
        assertThat(paths).contains("/actuator/health", "/actuator/info", "/actuator/metrics", "/actuator/health/db",
                "/actuator/metrics/jvm.memory.used");

        for (String path : paths) {
            Response refused = anonymous.get(path);
            assertThat(refused.status()).as("anonymous %s", path).isEqualTo(401);
            assertThat(refused.map()).containsOnlyKeys("error", "message", "details", "request_id", "timestamp");
            assertThat(refused.get("error")).isEqualTo("Unauthorized");
            assertThat(anonymous.as("ord_at_forged").get(path).status()).as("forged token %s", path).isEqualTo(401);
            Response forbidden = agent.get(path);
            assertThat(forbidden.status()).as("non-admin %s", path).isEqualTo(403);
            assertThat(forbidden.get("error")).isEqualTo("Forbidden");
            assertThat(api.get(path).status()).as("admin %s", path).isEqualTo(200);
        }
        // Spellings that reach the same endpoints: path parameters, percent-encoding, doubled slashes.
        for (String disguised : List.of("/actuator;/prometheus", "/actuator;x=1/health", "/%61ctuator/prometheus",
                "/actuator/%70rometheus", "/actuator;", "//actuator/prometheus", "/actuator/health/liveness/../../prometheus",
                "/actuator/health/liveness;/../../prometheus", "/actuator/health;/db")) {
            Response refused = anonymous.get(disguised);
            assertThat(refused.status()).as("anonymous %s", disguised).isIn(400, 401, 404);
            assertThat(refused.body()).as("anonymous %s", disguised).doesNotContain("jvm_").doesNotContain("\"components\"");
            assertThat(agent.get(disguised).status()).as("non-admin %s", disguised).isIn(400, 403, 404);
        }
        for (String probe : List.of("/actuator/health/liveness", "/actuator/health/readiness")) {
            Response answer = anonymous.get(probe).expect(200);
            assertThat(answer.get("status")).isEqualTo("UP");
            assertThat(answer.map()).doesNotContainKey("components");
        }
    }

    /**
     * Actuator's own refusals answer the one error JSON: a tag that is not key:value (actuator throws a
     * ResponseStatusException, which used to be a 500 with an ERROR and its stack trace), and the 404s it
     * answered with no body at all — an unknown metric, a tag no measurement has.
     */
    @Test
    void actuator_refusals_answer_the_error_json_with_their_own_status() {
        for (String path : List.of("/actuator/metrics/jvm.memory.used?tag=bogus", "/actuator/metrics/jvm.memory.used?tag=area")) {
            Response refused = api.get(path);
            assertThat(refused.status()).as("%s → %s", path, refused.body()).isEqualTo(400);
            assertThat(refused.map()).as(path).containsOnlyKeys("error", "message", "details", "request_id", "timestamp");
            assertThat(refused.get("error")).isEqualTo("ValidationError");
            assertThat(refused.string("message")).as(path).contains("key:value");
        }
        for (String path : List.of("/actuator/metrics/no.such", "/actuator/metrics/jvm.memory.used?tag=area:nosuch",
                "/actuator/metrics/jvm.memory.used?tag=nosuch:x")) {
            Response missing = api.get(path);
            assertThat(missing.status()).as("%s → %s", path, missing.body()).isEqualTo(404);
            assertThat(missing.header("Content-Type")).as(path).startsWith("application/json");
            assertThat(missing.map()).as(path).containsOnlyKeys("error", "message", "details", "request_id", "timestamp");
            assertThat(missing.get("error")).isEqualTo("NotFound");
            assertThat(missing.string("message")).as(path).contains("/actuator/metrics/");
        }
        assertThat(api.get("/actuator/metrics/jvm.memory.used?tag=area:heap").expect(200).get("name")).isEqualTo("jvm.memory.used");
    }

    @Test
    void health_shows_component_details_to_admins_only() {
        Response anonymous = api.as(null).get("/health").expect(200);
        assertThat(anonymous.get("status")).isEqualTo("healthy");
        assertThat(anonymous.map()).doesNotContainKeys("node", "roles");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> checks = (Map<String, Map<String, Object>>) anonymous.get("checks");
        assertThat(checks).containsKeys("database", "scheduler");
        checks.values().forEach(check -> assertThat(check).containsOnlyKeys("status"));
        assertThat(api.as(agent(Scopes.RUNS_READ).token()).get("/health").map()).doesNotContainKey("node");
        assertThat(api.as("ord_at_forged").get("/health").expect(200).map()).doesNotContainKey("node");

        Response admin = api.get("/health").expect(200);
        assertThat(admin.map()).containsKeys("node", "roles");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> detailed = (Map<String, Map<String, Object>>) admin.get("checks");
        assertThat(detailed.get("database")).containsKey("latency_ms");
        assertThat(detailed.get("scheduler")).containsKey("instance_id");

        @SuppressWarnings("unchecked")
        Map<String, Object> ready = (Map<String, Object>) api.as(null).get("/health/ready").expect(200).get("checks");
        assertThat(ready.get("database")).isEqualTo(Map.of("status", "healthy"));
    }

    @Test
    void a_forbidden_call_is_audited_with_the_agent_that_made_it() {
        TestAgent reader = agent(Scopes.TASKS_READ);
        api.as(reader.token()).post("/tasks", Map.of("title", "not mine to make")).expect(403);
        List<Map<String, Object>> rows = api.get("/audit?actor=" + reader.id()).expect(200).items();
        assertThat(rows).anySatisfy(row -> {
            assertThat(row.get("action")).isEqualTo("POST /tasks");
            assertThat(row.get("status")).isEqualTo(403);
            assertThat(row.get("actor")).isEqualTo(reader.id());
        });
    }

    @Test
    void unauthenticated_refusals_add_one_audit_row_per_address_and_minute() {
        long rowsBefore = refusalRows();
        long countedBefore = refusalsCounted();
        Api forged = api.as("ord_at_forged");
        for (int i = 0; i < 10; i++) {
            assertThat(forged.post("/tasks", Map.of("title", "x")).status()).isEqualTo(401);
            assertThat(forged.get("/tasks/" + UUID.randomUUID()).status()).isEqualTo(401);
        }
        assertThat(refusalsCounted() - countedBefore).isEqualTo(20);
        // Twenty refusals from one address: one row, or two when the minute turned meanwhile.
        assertThat(refusalRows() - rowsBefore).isBetween(1L, 2L);
        Map<String, Object> row = api.get("/audit?limit=1000").expect(200).items().stream()
                .filter(r -> Integer.valueOf(401).equals(r.get("status"))).findFirst().orElseThrow();
        assertThat(row.get("client_address")).isEqualTo("127.0.0.1");
        assertThat(row.get("actor")).isNull();
        assertThat(row.get("action")).as("the latest refused call").isEqualTo("GET /tasks/{id}");
        assertThat((Integer) row.get("count")).isGreaterThan(1);
    }

    private long refusalRows() {
        return jdbc.sql("SELECT count(*) FROM audit_log WHERE status = 401").query(Long.class).single();
    }

    private long refusalsCounted() {
        return jdbc.sql("SELECT coalesce(sum(repeat_count), 0) FROM audit_log WHERE status = 401").query(Long.class).single();
    }

    @Test
    void a_typo_of_a_built_in_scope_is_refused_naming_the_scope_meant() {
        Map<String, String> typos = Map.of("task:create", "tasks:create", "tasks:write", "tasks:create", "Tasks:Read", "tasks:read",
                "tools.write", "tools:write", "runs:reed", "runs:read", "admins", "admin", "event:publish", "events:publish");
        typos.forEach((typo, meant) -> {
            Response refused = api.post("/agents", Map.of("name", "typo-" + UUID.randomUUID().toString().substring(0, 8),
                    "scopes", List.of(typo))).expect(400);
            assertThat(refused.details()).containsEntry("field", "scopes").containsEntry("nearest_scope", meant);
            assertThat(refused.string("message")).contains(typo).contains(meant);
        });
        for (String toolScope : List.of("crm:read", "crm.write", "weather:read", "billing/invoices:list")) {
            api.post("/agents", Map.of("name", "tool-" + UUID.randomUUID().toString().substring(0, 8),
                    "scopes", List.of(toolScope, Scopes.TASKS_CREATE))).expect(201);
        }
    }
}
