package io.ordinaut.tool;

import static io.ordinaut.tool.ToolRuns.httpTool;
import static io.ordinaut.tool.ToolRuns.pipeline;
import static io.ordinaut.tool.ToolRuns.step;
import static io.ordinaut.tool.ToolRuns.traceOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;


import io.ordinaut.support.Api;
import io.ordinaut.tool.TestHttpServer.Answer;

/**
 * jsonb writes a number out in full, so {@code 1e200} is stored as 201 characters, past what reading a row
 * back accepted: the task or run became a permanent 500, and with it every listing that held it. Such
 * numbers are refused where they come in, and stored rows are readable whatever numbers they hold.
 */
class StoredNumbersEndToEndTest extends ToolServerTestSupport {

    private static final String WIDE_TASK = """
            {"title": "wide", "schedule_kind": "cron", "schedule_expr": "0 3 1 1 *",
             "payload": {"params": {"p": 1e200}, "pipeline": []}}""";

    @Test
    void a_task_holding_a_number_too_long_to_store_is_refused_naming_the_field() {
        Api.Response refused = api.postRaw("/tasks", WIDE_TASK, "application/json").expect(400);

        assertThat(refused.details()).containsEntry("field", "payload.params.p");
        assertThat(refused.string("message")).contains("201 characters long when stored");
        // a number as long as the limit, stored, is accepted and read back
        String fits = WIDE_TASK.replace("1e200", "1e99");
        String id = api.postRaw("/tasks", fits, "application/json").expect(201).string("id");
        api.get("/tasks/" + id).expect(200);
    }

    @Test
    void a_batch_item_holding_such_a_number_fails_alone() {
        String batch = "{\"tasks\": [" + WIDE_TASK.replace("1e200", "1") + ", " + WIDE_TASK + "]}";

        Api.Response answer = api.postRaw("/tasks/batch", batch, "application/json").expect(200);

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) answer.map().get("results");
        assertThat(results.get(0)).containsEntry("status", 201);
        assertThat(results.get(1)).containsEntry("status", 400);
        assertThat(String.valueOf(results.get(1).get("error"))).contains("payload.params.p", "characters long when stored");
    }

    @Test
    void a_tool_answering_such_a_number_fails_its_step_and_the_runs_stay_readable() {
        api.post("/tools", httpTool("wide.tool", http.url("/wide"))).expect(201);
        http.on("/wide", (request, previous) -> Answer.json(200, "{\"value\": 1e200}"));
        Map<String, Object> task = new java.util.LinkedHashMap<>(ToolRuns.task("wide answer",
                pipeline(Map.of(), List.of(step("fetch", "wide.tool", Map.of())))));
        task.put("max_retries", 2);
        String taskId = ToolRuns.create(api, task);

        Map<String, Object> run = ToolRuns.runNow(api, taskId);

        assertThat(run.get("status")).isEqualTo("failed");
        assertThat((String) run.get("error")).contains("step 'fetch'", "201 characters long when stored", "not retried");
        assertThat(traceOf(run, "fetch")).containsEntry("attempts", 1);
        assertThat(http.requests("/wide")).hasSize(1);
        api.get("/runs?task_id=" + taskId).expect(200);
        api.get("/runs").expect(200);
        api.get("/tasks/" + taskId + "/runs").expect(200);
    }

    @Test
    void rows_stored_with_such_numbers_are_still_read_and_listed() {
        // given a task and a run whose stored JSON holds numbers no check would let in today
        String taskId = ToolRuns.create(api, ToolRuns.task("stored before the check",
                pipeline(Map.of("p", 1), List.of(step("echo", "echo.wide", Map.of("p", "${params.p}"))))));
        Map<String, Object> run = ToolRuns.runNow(api, taskId);
        jdbc.sql("UPDATE task SET payload = jsonb_set(payload, '{params,p}', '1e200'::jsonb) WHERE id = CAST(:id AS uuid)")
                .param("id", taskId).update();
        jdbc.sql("UPDATE task_run SET output = jsonb_set(output, '{steps,echo,wide}', '-1.5e-300'::jsonb)"
                + " WHERE id = CAST(:id AS uuid)").param("id", run.get("id")).update();

        // then the task, the run and the listings that hold them read as usual
        assertThat(api.get("/tasks/" + taskId).expect(200).body()).contains("1" + "0".repeat(200));
        api.get("/tasks").expect(200);
        // one run's output is passed through as PostgreSQL prints it: in plain notation
        assertThat(api.get("/runs/" + run.get("id")).expect(200).body()).contains("-0." + "0".repeat(299) + "15");
        api.get("/runs").expect(200);
        api.get("/tasks/" + taskId + "/runs").expect(200);
        // and the task still runs: its pipeline is read from the same row
        assertThat(ToolRuns.runNow(api, taskId).get("status")).isIn("succeeded", "failed");
    }
}
