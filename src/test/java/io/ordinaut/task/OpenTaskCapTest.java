package io.ordinaut.task;

import static io.ordinaut.task.TaskApiTest.task;
import static io.ordinaut.task.TaskApiTest.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;

/**
 * ordinaut.tasks.max-open-per-agent: a non-admin agent owns at most that many tasks that are not canceled
 * or completed. Every way in that could raise the count is refused over it with 409 — single and batch
 * creation, MCP's create_task, resuming or re-scheduling a completed task — and concurrent creations
 * cannot slip past it.
 */
@TestPropertySource(properties = {"ordinaut.tasks.max-open-per-agent=" + OpenTaskCapTest.CAP,
        "ordinaut.security.burst-per-second=1000"})
class OpenTaskCapTest extends NodeTestSupport {

    static final int CAP = 5;

    private static Map<String, Object> cron(String title) {
        return with(task("cron", "0 9 * * 1-5"), "title", title);
    }

    private long open(String agentId) {
        return jdbc.sql("SELECT count(*) FROM task WHERE created_by = CAST(:a AS uuid) AND status IN ('active', 'paused')")
                .param("a", agentId).query(Long.class).single();
    }

    @Test
    void an_agent_at_its_cap_is_refused_409_until_it_cancels_a_task_while_admins_are_exempt() {
        // given an agent with CAP open tasks, one of them paused (paused tasks are open: resuming needs no room)
        Api.AgentApi agent = api.newAgent("tasks:create", "tasks:read", "tasks:update", "tasks:delete");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < CAP; i++) {
            ids.add(agent.api().post("/tasks", cron("t" + i)).expect(201).string("id"));
        }
        agent.api().post("/tasks/" + ids.get(0) + "/pause", Map.of()).expect(200);

        // when it creates one more, then it is refused with 409 in the error shape, naming the cap
        Response refused = agent.api().post("/tasks", cron("one too many")).expect(409);
        assertThat(refused.get("error")).isEqualTo("Conflict");
        assertThat(refused.string("message")).contains(String.valueOf(CAP)).contains("ordinaut.tasks.max-open-per-agent");
        assertThat(refused.details()).containsEntry("max_open_tasks", CAP).containsEntry("open_tasks", CAP)
                .containsEntry("agent_id", agent.id());
        assertThat(refused.map()).containsKeys("request_id", "timestamp");
        assertThat(open(agent.id())).isEqualTo(CAP);

        // a paused task resumes without room
        agent.api().post("/tasks/" + ids.get(0) + "/resume", Map.of()).expect(200);

        // an admin is not capped, for itself or when it creates a task for the agent
        for (int i = 0; i <= CAP; i++) {
            api.post("/tasks", cron("admin " + i)).expect(201);
        }
        api.post("/tasks", with(cron("given by admin"), "created_by", agent.id())).expect(201);
        assertThat(open(agent.id())).isEqualTo(CAP + 1);

        // canceling frees room again, once the agent is below its cap
        agent.api().post("/tasks/" + ids.get(1) + "/cancel", Map.of()).expect(200);
        agent.api().post("/tasks", cron("still over")).expect(409);
        agent.api().delete("/tasks/" + ids.get(2)).expect(200);
        agent.api().post("/tasks", cron("room again")).expect(201);
        agent.api().post("/tasks", cron("full again")).expect(409);
    }

    @Test
    @SuppressWarnings("unchecked")
    void a_batch_creates_up_to_the_cap_item_by_item_and_an_atomic_one_all_or_nothing() {
        // given an agent with CAP - 2 open tasks
        Api.AgentApi agent = api.newAgent("tasks:create");
        for (int i = 0; i < CAP - 2; i++) {
            agent.api().post("/tasks", cron("t" + i)).expect(201);
        }

        // when an atomic batch of 3 comes, then nothing is created and the call answers 409
        Response atomic = agent.api().post("/tasks/batch", Map.of("atomic", true,
                "tasks", List.of(cron("a1"), cron("a2"), cron("a3")))).expect(409);
        assertThat(atomic.get("error")).isEqualTo("Conflict");
        assertThat(atomic.details()).containsEntry("max_open_tasks", CAP).containsEntry("open_tasks", CAP - 2)
                .containsEntry("requested", 3);
        assertThat(open(agent.id())).isEqualTo(CAP - 2);

        // when a batch of 4 comes, then the first 2 are created and the others refused 409 each
        Response batch = agent.api().post("/tasks/batch", Map.of("tasks", List.of(cron("b1"), cron("b2"), cron("b3"), cron("b4"))))
                .expect(200);
        assertThat(batch.get("created")).isEqualTo(2);
        assertThat(batch.get("failed")).isEqualTo(2);
        List<Map<String, Object>> results = (List<Map<String, Object>>) batch.get("results");
        assertThat(results).extracting(r -> r.get("status")).containsExactly(201, 201, 409, 409);
        assertThat((Map<String, Object>) results.get(3).get("error")).containsEntry("error", "Conflict");
        assertThat(open(agent.id())).isEqualTo(CAP);
    }

    @Test
    void concurrent_batches_and_creations_never_take_an_agent_past_its_cap() throws Exception {
        // given an agent with no task, and many of its calls at once, each of which alone would fit
        Api.AgentApi agent = api.newAgent("tasks:create");
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                int n = i;
                calls.add(pool.submit(() -> n % 2 == 0
                        ? agent.api().post("/tasks/batch", Map.of("tasks", List.of(cron("b" + n), cron("c" + n))))
                        : agent.api().post("/tasks", cron("s" + n))));
            }
            for (Future<Response> call : calls) {
                assertThat(call.get(120, TimeUnit.SECONDS).status()).isIn(200, 201, 409);
            }
        } finally {
            pool.shutdownNow();
        }

        // then exactly CAP tasks were created
        assertThat(open(agent.id())).isEqualTo(CAP);
    }

    @Test
    void resuming_or_rescheduling_a_completed_task_needs_room_under_the_cap() {
        // given an agent at its cap whose extra task is completed (its schedule ended)
        Api.AgentApi agent = api.newAgent("tasks:create", "tasks:update");
        String completed = agent.api().post("/tasks", cron("done")).expect(201).string("id");
        jdbc.sql("UPDATE task SET status = 'completed', schedule_id = NULL WHERE id = CAST(:id AS uuid)").param("id", completed).update();
        jdbc.sql("DELETE FROM schedule s WHERE NOT EXISTS (SELECT 1 FROM task t WHERE t.schedule_id = s.id)").update();
        for (int i = 0; i < CAP; i++) {
            agent.api().post("/tasks", cron("t" + i)).expect(201);
        }

        // when it is resumed or given a new schedule, then it is refused 409 and stays completed
        assertThat(agent.api().post("/tasks/" + completed + "/resume", Map.of()).expect(409).details())
                .containsEntry("max_open_tasks", CAP);
        assertThat(agent.api().put("/tasks/" + completed, Map.of("schedule_expr", "0 10 * * 1-5")).expect(409).details())
                .containsEntry("max_open_tasks", CAP);
        assertThat(api.get("/tasks/" + completed).expect(200).get("status")).isEqualTo("completed");
        assertThat(open(agent.id())).isEqualTo(CAP);

        // an admin may still reactivate it
        api.post("/tasks/" + completed + "/resume", Map.of()).expect(200);
        assertThat(open(agent.id())).isEqualTo(CAP + 1);
    }

    @Test
    void mcp_create_task_is_refused_over_the_cap_as_post_tasks_is() throws Exception {
        // given an agent at its cap
        Api.AgentApi agent = api.newAgent("tasks:create");
        for (int i = 0; i < CAP; i++) {
            agent.api().post("/tasks", cron("t" + i)).expect(201);
        }
        String token = agent.api().token();

        // when it calls create_task over MCP, then the tool answers an error naming the cap and nothing is created
        HttpResponse<String> call = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "create_task", "arguments":
                         {"title": "over mcp", "schedule_kind": "cron", "schedule_expr": "0 9 * * 1-5",
                          "payload": {"pipeline": [{"id": "a", "uses": "noop.run"}]}}}}""", StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(call.statusCode()).isEqualTo(200);
        assertThat(call.body()).contains("\"isError\":true").contains("max-open-per-agent");
        assertThat(open(agent.id())).isEqualTo(CAP);
    }

    @Test
    void an_event_task_whose_end_at_passes_becomes_completed_and_frees_its_place_under_the_cap() {
        // given an agent at its cap, one of its tasks an event task taking events for a few more seconds
        Api.AgentApi agent = api.newAgent("tasks:create", "tasks:read", "tasks:update");
        for (int i = 0; i < CAP - 1; i++) {
            agent.api().post("/tasks", cron("t" + i)).expect(201);
        }
        Instant endAt = Instant.now().plusSeconds(8);
        String event = agent.api().post("/tasks", with(task("event", "orders.created"), "end_at", endAt.toString()))
                .expect(201).string("id");
        agent.api().post("/tasks", cron("one too many")).expect(409);

        // when its end_at passes, then it becomes completed, with the task.completed event other completions have
        Eventually.until("the event task completes after its end_at", Duration.ofSeconds(60),
                () -> "completed".equals(agent.api().get("/tasks/" + event).expect(200).get("status")));
        assertThat(Instant.now()).isAfter(endAt);
        assertThat(jdbc.sql("SELECT count(*) FROM outbox_entry WHERE type = 'task.completed' AND task_id = CAST(:id AS uuid)")
                .param("id", event).query(Long.class).single()).isOne();
        Response resumed = agent.api().post("/tasks/" + event + "/resume", Map.of()).expect(409);
        assertThat(resumed.string("message")).contains("end_at");

        // and its place is free again
        assertThat(open(agent.id())).isEqualTo(CAP - 1);
        agent.api().post("/tasks", cron("room again")).expect(201);
    }
}
