package io.ordinaut.task;

import static io.ordinaut.task.TaskApiTest.task;
import static io.ordinaut.task.TaskApiTest.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;

/**
 * Single creations made at once are stored together ({@code GroupCommit}): each caller must still get its
 * own task back, owned by itself, with its own audit row — and a refused body fails only its own call.
 */
@TestPropertySource(properties = "ordinaut.security.burst-per-second=1000")
class ConcurrentCreationTest extends NodeTestSupport {

    private static final int CLIENTS = 16;
    private static final int PER_CLIENT = 25;

    /** What one call sent and what it got back. */
    private record Call(String agentId, String title, String expr, boolean valid, Response response) {
    }

    private String agentToken(String id) {
        String secret = api.post("/agents/" + id + "/credentials", "{}").expect(200).string("agent_secret");
        return api.as(null).post("/agents/auth/token", Map.of("agent_id", id, "agent_secret", secret)).expect(200).string("access_token");
    }

    private String agent() {
        return api.post("/agents", Map.of("name", "creator-" + UUID.randomUUID().toString().substring(0, 8),
                "scopes", List.of("tasks:create", "tasks:read"))).expect(201).string("id");
    }

    @Test
    void concurrent_creations_each_get_their_own_task_owner_and_audit_row_and_a_refused_one_fails_alone() throws Exception {
        String[] agents = {agent(), agent()};
        Map<String, Api> clientOf = Map.of(agents[0], api.as(agentToken(agents[0])), agents[1], api.as(agentToken(agents[1])));
        long auditBefore = jdbc.sql("SELECT count(*) FROM audit_log WHERE action = 'POST /tasks'").query(Long.class).single();

        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<List<Call>>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.add(pool.submit(() -> {
                String agentId = agents[client % 2];
                Api as = clientOf.get(agentId);
                List<Call> calls = new ArrayList<>();
                for (int i = 0; i < PER_CLIENT; i++) {
                    String title = "client " + client + " task " + i;
                    boolean valid = i % 5 != 4;
                    // One shared schedule, and schedules of their own (a start second per task), and refused ones.
                    String expr = i % 2 == 0 ? "17 6 * * *" : "PT" + (3600 + client * 100 + i) + "S";
                    Map<String, Object> body = i % 2 == 0 ? task("cron", expr) : task("interval", expr);
                    body = with(body, "title", title);
                    if (!valid) {
                        body = with(body, "schedule_expr", "not a schedule " + i);
                    }
                    calls.add(new Call(agentId, title, expr, valid, as.post("/tasks", body)));
                }
                return calls;
            }));
        }
        List<Call> calls = new ArrayList<>();
        for (Future<List<Call>> client : clients) {
            calls.addAll(client.get(120, TimeUnit.SECONDS));
        }
        pool.shutdown();

        Set<String> ids = new HashSet<>();
        Map<String, Call> byId = new HashMap<>();
        for (Call call : calls) {
            if (call.valid()) {
                Response r = call.response().expect(201);
                assertThat(r.get("title")).isEqualTo(call.title());
                assertThat(r.get("schedule_expr")).isEqualTo(call.expr());
                assertThat(r.get("created_by")).isEqualTo(call.agentId());
                assertThat(ids.add(r.string("id"))).as("task ids are distinct").isTrue();
                byId.put(r.string("id"), call);
            } else {
                Response r = call.response().expect(400);
                assertThat(r.get("error")).isEqualTo("ValidationError");
                assertThat(r.body()).contains("not a schedule");
            }
        }
        int created = CLIENTS * PER_CLIENT * 4 / 5;
        assertThat(ids).hasSize(created);

        // Stored as answered: owner, title and schedule per id; nothing else stored.
        List<Map<String, Object>> rows = jdbc.sql("SELECT id::text AS id, created_by::text AS created_by, title, schedule_expr, schedule_id::text AS s "
                + "FROM task WHERE title LIKE 'client %'").query().listOfRows();
        assertThat(rows).hasSize(created);
        for (Map<String, Object> row : rows) {
            Call call = byId.get(row.get("id"));
            assertThat(call).as("stored task %s was answered to a caller", row.get("id")).isNotNull();
            assertThat(row.get("created_by")).isEqualTo(call.agentId());
            assertThat(row.get("title")).isEqualTo(call.title());
            assertThat(row.get("schedule_expr")).isEqualTo(call.expr());
            assertThat(row.get("s")).as("on its schedule").isNotNull();
        }
        // Every cron task shares one schedule; every interval task has its own.
        assertThat(jdbc.sql("SELECT count(DISTINCT schedule_id) FROM task WHERE title LIKE 'client %' AND schedule_kind = 'cron'")
                .query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(DISTINCT schedule_id) FROM task WHERE title LIKE 'client %' AND schedule_kind = 'interval'")
                .query(Long.class).single()).isEqualTo(created / 2);

        // One audit row per call, naming its caller, its status and (when created) its task.
        List<Map<String, Object>> audit = jdbc.sql("SELECT actor::text AS actor, subject_id, status FROM audit_log WHERE action = 'POST /tasks' "
                + "ORDER BY id OFFSET :skip").param("skip", auditBefore).query().listOfRows();
        assertThat(audit).hasSize(calls.size());
        assertThat(audit).filteredOn(a -> Integer.valueOf(201).equals(a.get("status"))).hasSize(created)
                .allSatisfy(a -> assertThat(a.get("actor")).isEqualTo(byId.get(a.get("subject_id")).agentId()));
        assertThat(audit).filteredOn(a -> Integer.valueOf(400).equals(a.get("status"))).hasSize(calls.size() - created);

        // The counts the list answers with agree with the rows.
        for (String agentId : agents) {
            long stored = rows.stream().filter(r -> agentId.equals(r.get("created_by"))).count();
            assertThat(api.get("/tasks?created_by=" + agentId + "&limit=1").expect(200).get("total")).isEqualTo((int) stored);
        }
    }
}
