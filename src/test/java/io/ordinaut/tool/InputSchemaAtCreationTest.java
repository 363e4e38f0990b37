package io.ordinaut.tool;

import static io.ordinaut.tool.ToolRuns.create;
import static io.ordinaut.tool.ToolRuns.pipeline;
import static io.ordinaut.tool.ToolRuns.runNow;
import static io.ordinaut.tool.ToolRuns.step;
import static io.ordinaut.tool.ToolRuns.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.ordinaut.support.Api.AgentApi;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;

/**
 * A step's literal arguments are checked against its tool's input schema when the task is created or
 * changed (docs/pipelines.md: nothing visible at creation fails at 3 a.m.), while what only a run can know —
 * templated values — is left to the run. On a real node, through the REST API.
 */
class InputSchemaAtCreationTest extends NodeTestSupport {

    /** A forecast tool: a required city, an integer of days, a unit enum, nested options, no other keys. */
    private static final Map<String, Object> FORECAST_SCHEMA = Map.of("type", "object",
            "required", List.of("city"),
            "additionalProperties", false,
            "properties", Map.of(
                    "city", Map.of("type", "string"),
                    "days", Map.of("type", "integer"),
                    "unit", Map.of("enum", List.of("C", "F")),
                    "tags", Map.of("type", "array", "items", Map.of("type", "string")),
                    "options", Map.of("type", "object", "properties", Map.of(
                            "lang", Map.of("type", "string"),
                            "hours", Map.of("type", "integer")))));

    private AgentApi alice;

    @BeforeEach
    void setUp() {
        ToolRuns.clearTools(api);
        ToolRuns.cancelTasks(api);
        alice = api.newAgent("tasks:create", "tasks:read", "tasks:update", "runs:write", "runs:read", "tools:read", "tools:write");
    }

    private static Map<String, Object> simulatedTool(String address, Map<String, Object> inputSchema) {
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("address", address);
        tool.put("transport", "simulate");
        if (inputSchema != null) {
            tool.put("input_schema", inputSchema);
        }
        return tool;
    }

    /** A task whose second step (index 1, id "forecast") calls the tool with these arguments. */
    private static Map<String, Object> forecastTask(String uses, Map<String, Object> with, Object... stepOptions) {
        return task("Forecast", pipeline(Map.of("city", "Chisinau", "days", "two", "lang", "ro"), List.of(
                step("prepare", "noop.prepare", Map.of()),
                step("forecast", uses, with, stepOptions))));
    }

    static Stream<Arguments> brokenArguments() {
        return Stream.of(
                arguments("a required property missing, all values literal", Map.of("days", 1),
                        "payload.pipeline[1].with.city", "required property 'city' not found"),
                arguments("a required property missing, the others templated", Map.of("days", "${params.days}"),
                        "payload.pipeline[1].with.city", "required property 'city' not found"),
                arguments("a literal string where the schema says integer", Map.of("city", "Chisinau", "days", "two"),
                        "payload.pipeline[1].with.days", "/days: string found, integer expected"),
                arguments("an enum violated", Map.of("city", "${params.city}", "unit", "K"),
                        "payload.pipeline[1].with.unit", "/unit: does not have a value in the enumeration [\"C\", \"F\"]"),
                arguments("a key additionalProperties forbids, though its value is a template",
                        Map.of("city", "Chisinau", "colour", "${params.city}"),
                        "payload.pipeline[1].with.colour", "property 'colour' is not defined in the schema"),
                arguments("a literal inside an object that holds templates",
                        Map.of("city", "${params.city}", "options", Map.of("lang", "${params.lang}", "hours", "24")),
                        "payload.pipeline[1].with.options.hours", "/options/hours: string found, integer expected"),
                arguments("a literal item beside a templated one", Map.of("city", "Chisinau", "tags", List.of("${params.lang}", 5)),
                        "payload.pipeline[1].with.tags[1]", "/tags/1: integer found, string expected"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenArguments")
    void literal_arguments_that_break_the_tool_input_schema_are_refused_at_creation(String name, Map<String, Object> with,
                                                                                       String field, String violation) {
        alice.api().post("/tools", simulatedTool("weather.forecast", FORECAST_SCHEMA)).expect(201);

        Response refused = alice.api().post("/tasks", forecastTask("weather.forecast", with)).expect(400);

        assertRefused(refused.map(), field, violation);
        assertThat(alice.api().get("/tasks").expect(200).items()).isEmpty();
    }

    private static void assertRefused(Map<String, Object> error, String field, String violation) {
        assertThat(error).containsEntry("error", "ValidationError").containsKeys("request_id", "timestamp");
        assertThat((String) error.get("message")).startsWith(field + ": step 'forecast' would call weather.forecast")
                .contains("input schema").contains(violation);
        @SuppressWarnings("unchecked")
        Map<String, Object> details = (Map<String, Object>) error.get("details");
        assertThat(details).containsEntry("field", field).containsEntry("step_index", 1).containsEntry("step_id", "forecast")
                .containsEntry("tool", "weather.forecast");
        assertThat(details.get("violations")).asList().anySatisfy(v -> assertThat((String) v).contains(violation));
    }

    static Stream<Arguments> argumentsOnlyARunDecides() {
        return Stream.of(
                arguments("whole-value templates, whatever params hold now",
                        Map.of("city", "${params.city}", "days", "${params.days}"), new Object[0]),
                arguments("an object holding templates, its literal parts valid",
                        Map.of("city", "Chisinau", "options", Map.of("lang", "${params.lang}", "hours", 24)), new Object[0]),
                arguments("a whole object templated", Map.of("city", "Chisinau", "options", "${params.options}"), new Object[0]),
                arguments("a required property given by a template", Map.of("city", "${steps.prepare.city}"), new Object[0]),
                arguments("a step guarded by if, its arguments templated",
                        Map.of("city", "${params.city}", "days", "${params.days}"), new Object[] {"if", "params.days != null"}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("argumentsOnlyARunDecides")
    void templated_values_are_left_to_the_run(String name, Map<String, Object> with, Object[] stepOptions) {
        alice.api().post("/tools", simulatedTool("weather.forecast", FORECAST_SCHEMA)).expect(201);

        alice.api().post("/tasks", forecastTask("weather.forecast", with, stepOptions)).expect(201);
    }

    @Test
    void tools_whose_runs_check_no_schema_accept_any_arguments() {
        alice.api().post("/tools", simulatedTool("plain.echo", null)).expect(201);
        Map<String, Object> anything = Map.of("days", "two", "colour", List.of(1, 2));

        // not registered (yet): the run simulates it, so creation must not refuse it either
        alice.api().post("/tasks", forecastTask("unregistered.tool", anything)).expect(201);
        // registered without an input schema
        alice.api().post("/tasks", forecastTask("plain.echo", anything)).expect(201);
    }

    @Test
    void an_admins_tool_is_checked_for_another_agents_task_as_its_runs_would_call_it() {
        api.post("/tools", simulatedTool("weather.forecast", FORECAST_SCHEMA)).expect(201);

        Response refused = alice.api().post("/tasks", forecastTask("weather.forecast", Map.of("days", 1))).expect(400);

        assertRefused(refused.map(), "payload.pipeline[1].with.city", "required property 'city' not found");
    }

    @Test
    void another_agents_tool_is_refused_without_checking_or_telling_its_schema() {
        // bob's tool at the address: alice's runs would refuse to call it (ToolTrust), so her task is refused its
        // step — by whose tool it is, never by bob's schema
        AgentApi bob = api.newAgent("tools:read", "tools:write");
        Map<String, Object> secretSchema = Map.of("type", "object", "required", List.of("bobs_private_field"),
                "properties", Map.of("bobs_private_field", Map.of("type", "integer")));
        bob.api().post("/tools", simulatedTool("weather.forecast", secretSchema)).expect(201);

        Response refused = alice.api().post("/tasks", forecastTask("weather.forecast", Map.of("days", "two"))).expect(400);

        assertThat(refused.string("message")).contains("belongs to another agent");
        assertThat(refused.body()).doesNotContain("bobs_private_field").doesNotContain("integer");
    }

    @Test
    void past_five_violations_the_list_keeps_pointer_items_and_counts_the_rest_apart() {
        Map<String, Object> properties = new LinkedHashMap<>();
        Map<String, Object> with = new LinkedHashMap<>();
        for (String name : List.of("a", "b", "c", "d", "e", "f", "g")) {
            properties.put(name, Map.of("type", "integer"));
            with.put(name, "not a number");
        }
        alice.api().post("/tools", simulatedTool("many.checks", Map.of("type", "object", "properties", properties))).expect(201);

        Response refused = alice.api().post("/tasks", forecastTask("many.checks", with)).expect(400);

        @SuppressWarnings("unchecked")
        Map<String, Object> details = (Map<String, Object>) refused.map().get("details");
        assertThat(details.get("violations")).asList().hasSize(5)
                .allSatisfy(v -> assertThat((String) v).matches("/[a-g]: string found, integer expected"));
        assertThat(details).containsEntry("more_violations", 2);
        assertThat(refused.string("message")).endsWith("string found, integer expected; … 2 more");
        // five or fewer: no count
        Response five = alice.api().post("/tasks", forecastTask("many.checks", Map.of("a", "x", "b", "x", "c", "x", "d", "x", "e", "x")))
                .expect(400);
        assertThat(five.map().get("details")).asInstanceOf(InstanceOfAssertFactories.MAP).doesNotContainKey("more_violations");
    }

    @Test
    void a_change_and_each_item_of_a_batch_are_checked_as_a_creation_is() {
        alice.api().post("/tools", simulatedTool("weather.forecast", FORECAST_SCHEMA)).expect(201);
        Map<String, Object> good = forecastTask("weather.forecast", Map.of("city", "Chisinau", "days", 1));
        Map<String, Object> bad = forecastTask("weather.forecast", Map.of("city", "Chisinau", "days", "two"));
        String taskId = create(alice.api(), good);

        Response put = alice.api().put("/tasks/" + taskId, Map.of("payload", bad.get("payload"))).expect(400);
        assertRefused(put.map(), "payload.pipeline[1].with.days", "/days: string found, integer expected");
        assertThat(alice.api().get("/tasks/" + taskId).expect(200).get("payload")).isEqualTo(good.get("payload"));

        Response batch = alice.api().post("/tasks/batch", Map.of("tasks", List.of(good, bad))).expect(200);
        List<Map<String, Object>> results = results(batch);
        assertThat(results.get(0)).containsEntry("status", 201);
        assertThat(results.get(1)).containsEntry("index", 1).containsEntry("status", 400);
        @SuppressWarnings("unchecked")
        Map<String, Object> itemError = (Map<String, Object>) results.get(1).get("error");
        assertThat(itemError).containsEntry("error", "ValidationError");
        assertThat(itemError.get("details")).asInstanceOf(InstanceOfAssertFactories.MAP)
                .containsEntry("field", "payload.pipeline[1].with.days").containsEntry("step_id", "forecast");

        Response atomic = alice.api().post("/tasks/batch", Map.of("tasks", List.of(good, bad), "atomic", true)).expect(400);
        assertThat(atomic.body()).contains("payload.pipeline[1].with.days");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> results(Response batch) {
        return (List<Map<String, Object>>) batch.map().get("results");
    }

    @Test
    void creation_and_run_word_a_violation_alike_and_a_templated_one_fails_the_run() {
        alice.api().post("/tools", simulatedTool("weather.forecast", FORECAST_SCHEMA)).expect(201);

        Response refused = alice.api().post("/tasks", forecastTask("weather.forecast", Map.of("city", "Chisinau", "days", "two")))
                .expect(400);
        // params.days is "two": accepted, since only a run renders the template — and the run then fails
        String taskId = create(alice.api(), forecastTask("weather.forecast", Map.of("city", "Chisinau", "days", "${params.days}")));
        Map<String, Object> run = runNow(alice.api(), taskId);

        assertThat(run.get("status")).isEqualTo("failed");
        assertThat((String) run.get("error")).contains("/days: string found, integer expected");
        assertThat(refused.string("message")).contains("/days: string found, integer expected");
    }

    @Test
    void valid_literal_arguments_are_accepted_and_run() {
        alice.api().post("/tools", simulatedTool("weather.forecast", FORECAST_SCHEMA)).expect(201);

        String taskId = create(alice.api(), forecastTask("weather.forecast",
                Map.of("city", "Chisinau", "days", 3, "unit", "C", "tags", List.of("a"), "options", Map.of("hours", 24))));

        assertThat(runNow(alice.api(), taskId).get("status")).isEqualTo("succeeded");
    }
}
