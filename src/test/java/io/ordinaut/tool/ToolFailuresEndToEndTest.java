package io.ordinaut.tool;

import static io.ordinaut.tool.ToolRuns.httpTool;
import static io.ordinaut.tool.ToolRuns.pipeline;
import static io.ordinaut.tool.ToolRuns.runNow;
import static io.ordinaut.tool.ToolRuns.statuses;
import static io.ordinaut.tool.ToolRuns.step;
import static io.ordinaut.tool.ToolRuns.steps;
import static io.ordinaut.tool.ToolRuns.task;
import static io.ordinaut.tool.ToolRuns.traceOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;


import io.ordinaut.support.Eventually;
import io.ordinaut.tool.TestHttpServer.Answer;

/** How tool failures end steps and runs, through the REST API on a real node against a real HTTP server. */
class ToolFailuresEndToEndTest extends ToolServerTestSupport {

    @Test
    void input_violating_the_tool_schema_fails_the_run_before_the_tool_is_called() {
        api.post("/tools", httpTool("weather.schema_in", http.url("/schema-in"), "input_schema", Map.of("type", "object",
                "required", List.of("city"), "properties", Map.of("city", Map.of("type", "string"))))).expect(201);
        http.on("/schema-in", Answer.json(200, "{}"));

        Map<String, Object> run = run(pipeline(Map.of("city", 42), List.of(
                step("forecast", "weather.schema_in", Map.of("city", "${params.city}"), "max_retries", 3))));

        assertFailed(run, "forecast");
        assertThat((String) run.get("error")).contains("input of weather.schema_in").contains("/city");
        assertThat(traceOf(run, "forecast")).containsEntry("attempts", 1);
        assertThat(http.requests("/schema-in")).isEmpty();
    }

    @Test
    void output_violating_the_tool_schema_fails_the_run() {
        api.post("/tools", httpTool("weather.schema_out", http.url("/schema-out"), "output_schema", Map.of("type", "object",
                "properties", Map.of("temp", Map.of("type", "number"))))).expect(201);
        http.on("/schema-out", Answer.json(200, "{\"temp\": \"warm\"}"));

        Map<String, Object> run = run(pipeline(Map.of(), List.of(step("forecast", "weather.schema_out", Map.of(), "max_retries", 2))));

        assertFailed(run, "forecast");
        assertThat((String) run.get("error")).contains("output of weather.schema_out").contains("/temp");
        assertThat(http.requests("/schema-out")).hasSize(1);
    }

    @Test
    void tool_timeout_fails_the_step_after_its_retries_with_one_idempotency_key() {
        api.post("/tools", httpTool("slow.tool", http.url("/slow"), "timeout_seconds", 1)).expect(201);
        http.on("/slow", Answer.json(200, "{}").delayed(2_500));

        Map<String, Object> run = run(pipeline(Map.of(), List.of(step("wait", "slow.tool", Map.of("n", 1), "max_retries", 1))));

        assertFailed(run, "wait");
        assertThat((String) run.get("error")).contains("timed out").contains("after 2 attempts");
        assertThat(traceOf(run, "wait")).containsEntry("attempts", 2);
        assertThat(http.requests("/slow")).hasSize(2)
                .extracting(r -> r.header("Idempotency-Key")).containsOnly(idempotencyKey(run, "wait"));
    }

    @Test
    void server_error_then_success_is_retried_with_the_same_idempotency_key() {
        api.post("/tools", httpTool("flaky.tool", http.url("/flaky"))).expect(201);
        http.on("/flaky", (request, previous) -> previous < 2
                ? Answer.json(previous == 0 ? 500 : 502, "{\"error\": \"try again\"}")
                : Answer.json(200, "{\"done\": true}"));

        Map<String, Object> run = run(pipeline(Map.of("n", 7), List.of(
                step("flaky", "flaky.tool", Map.of("n", "${params.n}"), "max_retries", 2))));

        assertThat(run.get("status")).as(String.valueOf(run.get("error"))).isEqualTo("succeeded");
        assertThat(traceOf(run, "flaky")).containsEntry("attempts", 3).containsEntry("status", "ok");
        assertThat(steps(run)).isEqualTo(Map.of("flaky", Map.of("done", true)));
        assertThat(http.requests("/flaky")).hasSize(3).allSatisfy(r -> assertThat(r.body()).isEqualTo("{\"n\":7}"))
                .extracting(r -> r.header("Idempotency-Key")).containsOnly(idempotencyKey(run, "flaky"));
    }

    @Test
    void client_error_is_not_retried() {
        api.post("/tools", httpTool("strict.tool", http.url("/strict"))).expect(201);
        http.on("/strict", Answer.json(422, "{\"error\": \"amount must be positive\"}"));

        Map<String, Object> run = run(pipeline(Map.of(), List.of(
                step("pay", "strict.tool", Map.of("amount", -1), "max_retries", 3),
                step("after", "strict.tool", Map.of("amount", 1)))));

        assertFailed(run, "pay");
        assertThat((String) run.get("error")).contains("HTTP 422").contains("amount must be positive");
        assertThat(traceOf(run, "pay")).containsEntry("attempts", 1);
        assertThat(statuses(run)).containsExactly("failed");
        assertThat(http.requests("/strict")).hasSize(1);
    }

    @Test
    void continue_on_error_records_the_failure_and_runs_the_next_step() {
        api.post("/tools", httpTool("broken.tool", http.url("/broken"))).expect(201);
        api.post("/tools", httpTool("fallback.tool", http.url("/fallback"))).expect(201);
        http.on("/broken", Answer.json(400, "{\"error\": \"bad\"}"));
        http.on("/fallback", Answer.json(200, "{\"sent\": true}"));

        Map<String, Object> run = run(pipeline(Map.of(), List.of(
                step("primary", "broken.tool", Map.of(), "continue_on_error", true),
                step("fallback", "fallback.tool", Map.of("primary", "${steps.primary || 'missing'}"),
                        "if", "steps.primary == `null`"))));

        assertThat(run.get("status")).isEqualTo("succeeded");
        assertThat(statuses(run)).containsExactly("failed", "ok");
        assertThat((String) traceOf(run, "primary").get("error")).contains("HTTP 400");
        assertThat(steps(run)).isEqualTo(Map.of("fallback", Map.of("sent", true)));
        assertThat(http.requests("/fallback").get(0).body()).isEqualTo("{\"primary\":\"missing\"}");
    }

    @Test
    void scope_taken_after_creation_fails_the_run_without_calling_the_tool() {
        UUID agent = UUID.randomUUID();
        jdbc.sql("INSERT INTO agent (id, name, scopes) VALUES (:id, :name, '{crm:read}')")
                .param("id", agent).param("name", "runner-" + agent).update();
        api.post("/tools", httpTool("crm.update", http.url("/crm-update"), "scopes", List.of("crm:read"))).expect(201);
        http.on("/crm-update", Answer.json(200, "{}"));
        Map<String, Object> task = task("Update CRM", pipeline(Map.of(), List.of(
                step("update", "crm.update", Map.of(), "max_retries", 3))));
        task.put("created_by", agent.toString());
        String taskId = ToolRuns.create(api, task);

        // the tool now needs a scope the task's agent does not hold
        api.put("/tools/crm.update", Map.of("scopes", List.of("crm:read", "crm:write"))).expect(200);
        Map<String, Object> run = runNow(api, taskId);

        assertFailed(run, "update");
        assertThat((String) run.get("error")).contains("crm.update").contains("crm:write");
        assertThat(traceOf(run, "update")).containsEntry("attempts", 1);
        assertThat(http.requests("/crm-update")).isEmpty();
    }

    @Test
    void redirect_to_the_cloud_metadata_endpoint_is_refused() {
        api.post("/tools", httpTool("sneaky.tool", http.url("/sneaky"))).expect(201);
        http.on("/sneaky", Answer.redirect(307, "http://169.254.169.254/latest/meta-data/iam/security-credentials/"));

        Map<String, Object> run = run(pipeline(Map.of(), List.of(step("fetch", "sneaky.tool", Map.of(), "max_retries", 2))));

        assertFailed(run, "fetch");
        assertThat((String) run.get("error")).contains("169.254.169.254").contains("refused");
        assertThat(traceOf(run, "fetch")).containsEntry("attempts", 1);
        assertThat(http.requests("/sneaky")).hasSize(1);
    }

    @Test
    void metadata_endpoint_written_straight_into_the_catalog_is_refused_at_call_time() {
        // a row the API would refuse (registration checks the endpoint), as if written by hand
        jdbc.sql("""
                INSERT INTO tool (address, transport, endpoint, timeout_seconds, created_at, updated_at)
                VALUES ('meta.creds', 'http', 'http://169.254.169.254/latest/meta-data', 5, now(), now())""").update();
        api.post("/tools", httpTool("any.tool", http.url("/any"))).expect(201); // any change reloads this node's copy

        Map<String, Object> run = run(pipeline(Map.of(), List.of(step("creds", "meta.creds", Map.of(), "max_retries", 2))));

        assertFailed(run, "creds");
        assertThat((String) run.get("error")).contains("169.254.169.254").contains("link-local or cloud metadata");
        assertThat(traceOf(run, "creds")).containsEntry("attempts", 1);
    }

    @Test
    void retry_after_of_a_429_delays_the_runs_retry_beyond_its_backoff() {
        api.post("/tools", httpTool("weather.busy", http.url("/busy-run"))).expect(201);
        http.on("/busy-run", (request, previous) -> previous == 0
                ? new Answer(429, "{}", Map.of("Retry-After", "9"), 0)
                : Answer.json(200, "{\"temp\": 4}"));
        Map<String, Object> task = task("Busy tool", new LinkedHashMap<>(pipeline(Map.of(), List.of(
                step("w", "weather.busy", Map.of(), "timeout_seconds", 20)))));
        task.put("max_retries", 1);
        task.put("backoff_strategy", "fixed"); // 5 s (ordinaut.runs.retry-base): shorter than the tool asks

        String runId = api.post("/tasks/" + ToolRuns.create(api, task) + "/run_now", Map.of()).expect(200)
                .details().get("run_id").toString();
        Map<String, Object> run = awaitFinished(runId, Duration.ofSeconds(60));

        assertThat(run.get("status")).as("run %s", run).isEqualTo("succeeded");
        List<Long> at = http.requests("/busy-run").stream().map(TestHttpServer.Request::receivedNanos).toList();
        assertThat(at).hasSize(2);
        assertThat(Duration.ofNanos(at.get(1) - at.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(8_500));
    }

    /** Waits past failed attempts that will be retried, until the run ends otherwise. */
    private Map<String, Object> awaitFinished(String runId, Duration patience) {
        return Eventually.until("run " + runId + " ended other than failed", patience,
                () -> api.get("/runs/" + runId).expect(200).map(),
                run -> run.get("finished_at") != null && !List.of("running", "queued", "failed").contains(run.get("status")));
    }

    private Map<String, Object> run(Map<String, Object> payload) {
        return runNow(api, ToolRuns.create(api, task("Failure case", new LinkedHashMap<>(payload))));
    }

    private static void assertFailed(Map<String, Object> run, String stepId) {
        assertThat(run.get("status")).as("run %s", run).isEqualTo("failed");
        assertThat(run.get("success")).isEqualTo(false);
        assertThat(traceOf(run, stepId)).containsEntry("status", "failed");
    }

    private static String idempotencyKey(Map<String, Object> run, String stepId) {
        return ToolCall.idempotencyKey((String) run.get("task_id"),
                java.time.Instant.parse((String) run.get("scheduled_for")), stepId);
    }
}
