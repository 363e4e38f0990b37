package io.ordinaut.tool;

import static io.ordinaut.tool.ToolRuns.pipeline;
import static io.ordinaut.tool.ToolRuns.statuses;
import static io.ordinaut.tool.ToolRuns.step;
import static io.ordinaut.tool.ToolRuns.traceOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Api.AgentApi;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;

/**
 * What a run builds is bounded: strings and arrays an expression builds, rendered arguments, each step's
 * output and the run's outputs. Past a bound the step fails with a clear error, not retried, and the
 * node carries on with everyone's runs. The byte bounds are lowered here so small payloads reach them.
 */
@TestPropertySource(properties = {
        "ordinaut.pipeline.max-argument-bytes=49152",
        "ordinaut.pipeline.max-step-output-bytes=32768",
        "ordinaut.pipeline.max-run-output-bytes=65536"})
class ValueBoundsEndToEndTest extends NodeTestSupport {

    private AgentApi attacker;
    private AgentApi bystander;

    @BeforeEach
    void agents() {
        attacker = api.newAgent("tasks:create", "tasks:read", "tasks:update", "runs:write", "runs:read", "tools:read");
        bystander = api.newAgent("tasks:create", "tasks:read", "runs:write", "runs:read", "tools:read");
    }

    @Test
    void a_string_doubled_by_join_fails_its_step_at_the_string_bound() {
        String doubled = "params.s" + " | join('', [@, @])".repeat(20);

        Map<String, Object> run = runAs(attacker, Map.of("s", "AAAAAAAAAA"), step("grow", "echo.grow", Map.of("x", "${" + doubled + "}")));

        assertFailedNotRetried(run, "grow", "join would build a string of more than 1048576 characters");
        assertBystanderRunSucceeds();
    }

    @Test
    void a_value_that_doubles_when_written_out_fails_its_step_before_it_is_written() {
        String dag = "params.s" + " | [@, @]".repeat(24);

        Map<String, Object> typed = runAs(attacker, Map.of("s", "AAAAAAAAAA"), step("dag", "echo.dag", Map.of("x", "${" + dag + "}")));
        assertFailedNotRetried(typed, "dag", "rendered arguments refused: larger than 48 KiB (ordinaut.pipeline.max-argument-bytes)");

        Map<String, Object> text = runAs(attacker, Map.of("s", "AAAAAAAAAA"),
                step("dag", "echo.dag", Map.of("x", "${to_string(" + dag + ")}")));
        assertFailedNotRetried(text, "dag", "larger than 1 MiB (the bound on any string an expression builds)");

        Map<String, Object> interpolated = runAs(attacker, Map.of("s", "AAAAAAAAAA"),
                step("dag", "echo.dag", Map.of("x", "all: ${" + dag + "}")));
        assertFailedNotRetried(interpolated, "dag", "larger than 1 MiB (the bound on any string an expression builds)");

        // flattening builds the doubled array for real: 2^25 items
        Map<String, Object> flattened = runAs(attacker, Map.of("s", "AAAAAAAAAA"),
                step("dag", "echo.dag", Map.of("x", "${length(params.s | [@, @]" + " | [@, @][]".repeat(24) + ")}")));
        assertFailedNotRetried(flattened, "dag", "the expression builds");
        assertBystanderRunSucceeds();
    }

    @Test
    void arguments_outputs_and_the_run_total_are_bounded_by_the_pipeline_settings() {
        Map<String, Object> params = Map.of("s", "B".repeat(20_000));

        // rendered arguments: three copies of 20 000 characters pass 48 KiB
        Map<String, Object> arguments = runAs(attacker, params,
                step("big", "echo.big", Map.of("a", "${params.s}", "b", "${params.s}", "c", "${params.s}")));
        assertFailedNotRetried(arguments, "big", "rendered arguments refused: larger than 48 KiB (ordinaut.pipeline.max-argument-bytes)");

        // a step's output: the echo of two copies passes 32 KiB
        Map<String, Object> output = runAs(attacker, params, step("big", "echo.big", Map.of("a", "${params.s}", "b", "${params.s}")));
        assertFailedNotRetried(output, "big", "output of echo.big refused: larger than 32 KiB (ordinaut.pipeline.max-step-output-bytes)");

        // the run's outputs: three echoes of one copy fit in 64 KiB, the fourth does not
        Map<String, Object> total = runAs(attacker, params,
                step("one", "echo.big", Map.of("a", "${params.s}")),
                step("two", "echo.big", Map.of("a", "${params.s}")),
                step("three", "echo.big", Map.of("a", "${params.s}")),
                step("four", "echo.big", Map.of("a", "${params.s}")));
        assertFailedNotRetried(total, "four", "the run's outputs would be larger than 64 KiB (ordinaut.pipeline.max-run-output-bytes)");
        assertThat(statuses(total)).containsExactly("ok", "ok", "ok", "failed");
        assertBystanderRunSucceeds();
    }

    @Test
    void literal_arguments_every_run_would_refuse_are_refused_when_the_task_is_created() {
        // 70 arrays under "v": past the 64 levels (the default) every run's arguments may nest
        Object deep = 1;
        for (int i = 0; i < 70; i++) {
            deep = List.of(deep);
        }
        Response tooDeep = attacker.api().post("/tasks", literalTask(Map.of("v", deep))).expect(400);
        assertRefused(tooDeep.map(), "payload.pipeline[0].with.v" + "[0]".repeat(63),
                "nested deeper than 64 levels (ordinaut.pipeline.max-depth)");
        assertThat(tooDeep.string("message")).doesNotContain("contains itself");

        // a literal string, alone, beside a template, or as the text around one, past 48 KiB
        String large = "C".repeat(50_000);
        for (Map<String, Object> with : List.<Map<String, Object>>of(Map.of("s", large), Map.of("a", "${params.s}", "s", large),
                Map.of("s", large + "${params.s}"))) {
            Response tooLarge = attacker.api().post("/tasks", literalTask(with)).expect(400);
            assertRefused(tooLarge.map(), "payload.pipeline[0].with", "larger than 48 KiB (ordinaut.pipeline.max-argument-bytes)");
        }

        // what only a template could push past the bound is left to the run
        attacker.api().post("/tasks", literalTask(Map.of("s", "C".repeat(40_000), "a", "${params.s}"))).expect(201);
        Object deepest = 1;
        for (int i = 0; i < 63; i++) {
            deepest = List.of(deepest);
        }
        attacker.api().post("/tasks", literalTask(Map.of("v", deepest))).expect(201);
    }

    @Test
    void a_change_and_each_item_of_a_batch_are_checked_against_the_bounds_as_a_creation_is() {
        Map<String, Object> good = literalTask(Map.of("s", "fits"));
        Map<String, Object> bad = literalTask(Map.of("s", "C".repeat(50_000)));
        String taskId = ToolRuns.create(attacker.api(), good);

        Response put = attacker.api().put("/tasks/" + taskId, Map.of("payload", bad.get("payload"))).expect(400);
        assertRefused(put.map(), "payload.pipeline[0].with", "(ordinaut.pipeline.max-argument-bytes)");

        Response batch = attacker.api().post("/tasks/batch", Map.of("tasks", List.of(good, bad))).expect(200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) batch.map().get("results");
        assertThat(results.get(0)).containsEntry("status", 201);
        assertThat(results.get(1)).containsEntry("status", 400);
        @SuppressWarnings("unchecked")
        Map<String, Object> itemError = (Map<String, Object>) results.get(1).get("error");
        assertRefused(itemError, "payload.pipeline[0].with", "(ordinaut.pipeline.max-argument-bytes)");
    }

    private static Map<String, Object> literalTask(Map<String, Object> with) {
        return ToolRuns.task("literal", pipeline(Map.of("s", "x"), List.of(step("send", "echo.literal", with))));
    }

    @SuppressWarnings("unchecked")
    private static void assertRefused(Map<String, Object> error, String field, String why) {
        assertThat(error).containsEntry("error", "ValidationError");
        assertThat((String) error.get("message")).startsWith(field + ": ").contains("every run would refuse", why);
        assertThat((Map<String, Object>) error.get("details")).containsEntry("field", field);
    }

    private static void assertFailedNotRetried(Map<String, Object> run, String stepId, String why) {
        assertThat(run.get("status")).as(String.valueOf(run.get("error"))).isEqualTo("failed");
        assertThat((String) run.get("error")).contains("step '" + stepId + "'", why, "not retried");
        assertThat(traceOf(run, stepId)).containsEntry("status", "failed");
    }

    private void assertBystanderRunSucceeds() {
        Map<String, Object> run = runAs(bystander, Map.of("n", 1), step("hello", "echo.bystander", Map.of("n", "${params.n}")));
        assertThat(run.get("status")).as(String.valueOf(run.get("error"))).isEqualTo("succeeded");
    }

    /** Creates the task as the agent, allowed three retries, runs it now and waits for the run to end. */
    @SafeVarargs
    private static Map<String, Object> runAs(AgentApi agent, Map<String, Object> params, Map<String, Object>... steps) {
        Map<String, Object> task = new java.util.LinkedHashMap<>(ToolRuns.task("bounded?", pipeline(params, List.of(steps))));
        task.put("max_retries", 3);
        return ToolRuns.runNow(agent.api(), ToolRuns.create(agent.api(), task));
    }
}
