package io.ordinaut.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.AgentApi;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;
import io.ordinaut.web.Scopes;

/**
 * Refusals of a known agent are written one row each, naming it: a 403 whatever the method, and a mutating call
 * refused before any route ran — an unknown path (404), a wrong method (405) — which no interceptor sees.
 */
class RefusalAuditTest extends NodeTestSupport {

    @Test
    void reads_refused_403_are_written_one_row_each_naming_the_agent() {
        AgentApi agent = api.newAgent(Scopes.TASKS_READ);

        agent.api().get("/tasks").expect(200);
        agent.api().get("/audit").expect(403);
        agent.api().get("/agents").expect(403);
        agent.api().get("/actuator/metrics").expect(403);

        assertThat(rowsOf(agent.id(), 3)).containsExactlyInAnyOrder("GET /audit 403", "GET /agents 403", "GET /actuator/metrics 403");
    }

    @Test
    void mutating_calls_to_no_route_or_with_a_wrong_method_are_written_one_row_each_naming_the_agent() {
        AgentApi agent = api.newAgent(Scopes.TASKS_READ);

        agent.api().get("/no/such/route").expect(404);
        agent.api().post("/no/such/route", "{}").expect(404);
        agent.api().delete("/audit").expect(405);
        agent.api().method("PATCH", "/tasks/batch").expect(405);

        assertThat(rowsOf(agent.id(), 3)).as("a read of an unknown path writes nothing")
                .containsExactlyInAnyOrder("POST /no/such/route 404", "DELETE /audit 405", "PATCH /tasks/batch 405");
    }

    @Test
    void refusals_cost_the_agent_its_budget_and_once_it_is_spent_they_fold_into_one_row_a_minute() {
        String id = api.post("/agents", Map.of("name", "budgeted-" + System.nanoTime(), "scopes", List.of(Scopes.TASKS_READ),
                "budget", Map.of("api_calls_per_hour", 3))).expect(201).string("id");
        String secret = api.post("/agents/" + id + "/credentials", "{}").expect(200).string("agent_secret");
        Api agent = api.as(api.as(null).post("/agents/auth/token", Map.of("agent_id", id, "agent_secret", secret))
                .expect(200).string("access_token"));

        // a 403 costs a unit like any call: refused reads were free and wrote a row each
        for (int i = 0; i < 3; i++) {
            agent.get("/audit").expect(403);
        }
        agent.get("/audit").expect(429);
        for (int i = 0; i < 5; i++) {
            agent.post("/tasks", "{}").expect(429);
            agent.post("/no/such/route", "{}").expect(404);
            agent.get("/actuator/metrics").expect(403);
        }

        Eventually.until("the folded row counts every refusal over the budget", () -> jdbc.sql("""
                SELECT coalesce(sum(repeat_count), 0) FROM audit_log WHERE actor = CAST(:id AS uuid) AND window_start IS NOT NULL""")
                .param("id", id).query(Integer.class).single() == 15);
        List<Map<String, Object>> rows = jdbc.sql("SELECT action, status, window_start FROM audit_log WHERE actor = CAST(:id AS uuid)")
                .param("id", id).query().listOfRows();
        assertThat(rows.stream().filter(r -> r.get("window_start") == null).map(r -> r.get("action") + " " + r.get("status")))
                .as("rows of their own: the refusals within the budget").containsExactly("GET /audit 403", "GET /audit 403", "GET /audit 403");
        assertThat(rows.stream().filter(r -> r.get("window_start") != null).count())
                .as("one folded row per minute (two if the calls crossed one)").isBetween(1L, 2L);
    }

    /** The agent's rows, "action status", once there are at least {@code expected}; each a row of its own, not folded. */
    private List<String> rowsOf(String agentId, int expected) {
        Eventually.until("audit rows of " + agentId, () -> jdbc.sql("SELECT count(*) FROM audit_log WHERE actor = CAST(:id AS uuid)")
                .param("id", agentId).query(Integer.class).single() >= expected);
        List<Map<String, Object>> rows = jdbc.sql("SELECT action, status, window_start, repeat_count FROM audit_log WHERE actor = CAST(:id AS uuid)")
                .param("id", agentId).query().listOfRows();
        assertThat(rows).allSatisfy(row -> {
            assertThat(row.get("window_start")).isNull();
            assertThat(row.get("repeat_count")).isEqualTo(1);
        });
        return rows.stream().map(row -> row.get("action") + " " + row.get("status")).toList();
    }
}
