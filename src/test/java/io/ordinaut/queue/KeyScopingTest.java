package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.Api;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;

/**
 * dedupe_key and concurrency_key belong to the agent that owns the task: another agent using the same
 * key text neither skips nor blocks its runs. A key shared across agents is written {@code global:…}
 * and only an admin may write one.
 */
class KeyScopingTest extends NodeTestSupport {

    Api agent(String name) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name + "-" + UUID.randomUUID().toString().substring(0, 8));
        body.put("scopes", List.of("tasks:create", "tasks:read", "tasks:update", "tasks:delete", "runs:read", "runs:write"));
        String id = api.post("/agents", body).expect(201).string("id");
        String secret = api.post("/agents/" + id + "/credentials", "{}").expect(200).string("agent_secret");
        String token = api.as(null).post("/agents/auth/token", Map.of("agent_id", id, "agent_secret", secret))
                .expect(200).string("access_token");
        return api.as(token);
    }

    static Map<String, Object> task(String keyField, String key) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", "keyed");
        body.put("schedule_kind", "event");
        body.put("schedule_expr", "keyed.topic");
        body.put("payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
        body.put(keyField, key);
        if (keyField.equals("dedupe_key")) {
            body.put("dedupe_window_seconds", 3600);
        }
        return body;
    }

    @Test
    void another_agent_using_the_same_dedupe_key_does_not_skip_the_owners_runs() {
        Api alice = agent("alice");
        Api mallory = agent("mallory");
        String hers = alice.post("/tasks", task("dedupe_key", "daily-report")).expect(201).string("id");
        String his = mallory.post("/tasks", task("dedupe_key", "daily-report")).expect(201).string("id");

        // mallory takes the key first
        mallory.post("/tasks/" + his + "/run_now", "{}").expect(200);
        // alice's run is not a duplicate of his; her own second run within the window is
        alice.post("/tasks/" + hers + "/run_now", "{}").expect(200);
        alice.post("/tasks/" + hers + "/run_now", "{}").expect(409);

        assertThat(alice.get("/tasks/" + hers).get("dedupe_key")).as("the API shows the key as given").isEqualTo("daily-report");
    }

    @Test
    void another_agent_holding_the_same_concurrency_key_does_not_block_the_owners_runs() throws Exception {
        Api alice = agent("alice");
        Api mallory = agent("mallory");
        String hers = alice.post("/tasks", task("concurrency_key", "crm")).expect(201).string("id");
        String his = mallory.post("/tasks", task("concurrency_key", "crm")).expect(201).string("id");
        mallory.post("/tasks/" + his + "/run_now", "{}").expect(200);
        awaitRuns(his, 1);
        // mallory's runs of "crm" fill every slot of that key (as a long run would)
        int held = jdbc.sql("UPDATE concurrency_slot SET running = 1").update();
        assertThat(held).as("mallory's key is the only one so far").isOne();

        alice.post("/tasks/" + hers + "/run_now", "{}").expect(200);

        awaitRuns(hers, 1);
    }

    @Test
    void only_an_admin_may_set_a_global_key_and_it_is_shared_across_agents() {
        Api alice = agent("alice");
        alice.post("/tasks", task("dedupe_key", "global:nightly")).expect(400);
        alice.post("/tasks", task("concurrency_key", "global:db")).expect(400);
        String plain = alice.post("/tasks", task("dedupe_key", "nightly")).expect(201).string("id");
        alice.put("/tasks/" + plain, Map.of("dedupe_key", "global:nightly")).expect(400);

        String first = api.post("/tasks", task("dedupe_key", "global:nightly")).expect(201).string("id");
        String second = api.post("/tasks", task("dedupe_key", "global:nightly")).expect(201).string("id");
        api.post("/tasks/" + first + "/run_now", "{}").expect(200);
        api.post("/tasks/" + second + "/run_now", "{}").expect(409);
    }

    private void awaitRuns(String taskId, int n) {
        Eventually.until("task " + taskId + " ran " + n + " time(s)", () -> jdbc.sql(
                        "SELECT count(*) FROM task_run WHERE task_id = CAST(:id AS uuid) AND status = 'succeeded'")
                .param("id", taskId).query(Long.class).single() >= n);
    }
}
