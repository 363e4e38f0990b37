package io.ordinaut.tool;

import static io.ordinaut.tool.ToolRuns.httpTool;
import static io.ordinaut.tool.ToolRuns.pipeline;
import static io.ordinaut.tool.ToolRuns.step;
import static io.ordinaut.tool.ToolRuns.steps;
import static io.ordinaut.tool.ToolRuns.traceOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;


import io.ordinaut.support.Api;
import io.ordinaut.support.Api.AgentApi;
import io.ordinaut.tool.TestHttpServer.Answer;

/**
 * One agent's run whose output could not be stored must not stop the node recording everyone's runs:
 * such outputs are refused at the step that produced them, or — when only the database can tell — the
 * run is recorded as failed without its output. Every poison run here is allowed retries; none is retried.
 */
class UnstorableOutputEndToEndTest extends ToolServerTestSupport {

    private AgentApi attacker;
    private AgentApi bystander;

    @BeforeEach
    void agents() {
        attacker = api.newAgent("tasks:create", "tasks:read", "runs:write", "runs:read", "tools:read");
        bystander = api.newAgent("tasks:create", "tasks:read", "runs:write", "runs:read", "tools:read");
    }

    @Test
    void arguments_that_refer_to_the_whole_context_are_a_copy_so_the_output_cannot_contain_itself() {
        // given a simulated (echoing) tool handed the live context, twice, and a later step handed the steps
        Map<String, Object> run = runAs(attacker, pipeline(Map.of("s", "x"), List.of(
                step("first", "echo.anything", Map.of("all", "${@}", "steps", "${steps}")),
                step("second", "echo.anything", Map.of("all", "${@}", "steps", "${steps}")))));

        // then the run succeeds with what each step was given when it ran
        assertThat(run.get("status")).as(String.valueOf(run.get("error"))).isEqualTo("succeeded");
        assertThat(input(run, "first")).containsEntry("steps", Map.of());
        assertThat(input(run, "second").get("steps")).isInstanceOfSatisfying(Map.class,
                saved -> assertThat(saved.keySet()).containsExactly("first"));
        // and another agent's run on the node is recorded as usual
        assertBystanderRunSucceeds();
    }

    @Test
    void an_http_tool_answer_nested_too_deeply_fails_its_step_not_retried() {
        api.post("/tools", httpTool("deep.tool", http.url("/deep"))).expect(201);
        // 497 levels parse fine, but a run output around them would pass the JSON writer's 500 levels
        http.on("/deep", (request, previous) -> Answer.json(200, "[".repeat(497) + "]".repeat(497)));

        Map<String, Object> run = runAs(attacker, pipeline(Map.of(), List.of(step("fetch", "deep.tool", Map.of()))));

        assertThat(run.get("status")).isEqualTo("failed");
        assertThat((String) run.get("error")).contains("step 'fetch'", "nested deeper than 64 levels", "not retried")
                .doesNotContain("contains itself");
        assertThat(traceOf(run, "fetch")).containsEntry("attempts", 1);
        assertThat(http.requests("/deep")).hasSize(1);
        assertBystanderRunSucceeds();
    }

    @Test
    void an_answer_the_database_cannot_store_fails_the_run_without_its_output() {
        api.post("/tools", httpTool("nul.tool", http.url("/nul"))).expect(201);
        // valid JSON, but jsonb refuses \u0000: only the write of the run's result can tell
        http.on("/nul", (request, previous) -> Answer.json(200, "{\"text\": \"a\\u0000b\"}"));

        Map<String, Object> run = runAs(attacker, pipeline(Map.of(), List.of(step("fetch", "nul.tool", Map.of()))));

        assertThat(run.get("status")).isEqualTo("failed");
        assertThat((String) run.get("error")).contains("could not be stored", "not retried");
        assertThat(run.get("output")).isNull();
        assertThat(http.requests("/nul")).hasSize(1);
        assertBystanderRunSucceeds();
    }

    private void assertBystanderRunSucceeds() {
        Map<String, Object> run = runAs(bystander, pipeline(Map.of("n", 1), List.of(
                step("hello", "echo.bystander", Map.of("n", "${params.n}")))));
        assertThat(run.get("status")).as(String.valueOf(run.get("error"))).isEqualTo("succeeded");
    }

    /** Creates the task as the agent, allowed three retries, runs it now and waits for the run to end. */
    private static Map<String, Object> runAs(AgentApi agent, Map<String, Object> payload) {
        Map<String, Object> task = new java.util.LinkedHashMap<>(ToolRuns.task("poison?", payload));
        task.put("max_retries", 3);
        Api client = agent.api();
        String taskId = ToolRuns.create(client, task);
        return ToolRuns.runNow(client, taskId);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> input(Map<String, Object> run, String step) {
        return (Map<String, Object>) ((Map<String, Object>) steps(run).get(step)).get("input_args");
    }
}
