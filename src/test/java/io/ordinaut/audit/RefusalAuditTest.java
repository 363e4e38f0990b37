package io.ordinaut.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

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
