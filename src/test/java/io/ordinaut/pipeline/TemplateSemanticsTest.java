package io.ordinaut.pipeline;

import io.ordinaut.pipeline.Pipelines.RecordingTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.ordinaut.pipeline.Pipelines.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * How {@code with} values render, observed as the arguments a tool receives. An earlier step "data"
 * answers with {@link #DATA}; params are {@link #PARAMS}; the clock reads 2025-01-15T20:00:00Z and
 * the task lives in Asia/Tokyo (already the 16th there).
 */
class TemplateSemanticsTest {

    private static final Map<String, Object> PARAMS = map(
            "city", "Paris", "n", 3, "ratio", 0.5, "flag", false, "none", null,
            "obj", map("a", 1), "list", List.of("x", "y"), "nums", List.of(3, 1, 2),
            "empty", List.of(), "big", new BigInteger("12345678901234567890"));
    private static final Map<String, Object> DATA = map(
            "items", List.of(map("name", "cheap", "price", 50), map("name", "dear", "price", 150)),
            "leads", List.of(1, 2, 3));

    static Stream<Arguments> templates() {
        return Stream.of(
                arguments("${params.city}", "Paris"),
                arguments("${params.n}", 3),
                arguments("${params.flag}", false),
                arguments("${params.obj}", map("a", 1)),
                arguments("${params.list}", List.of("x", "y")),
                arguments("${params.none}", null),
                arguments("${params.missing}", null),
                arguments("${params.missing.deeper[0]}", null),
                arguments("  ${ params.city }  ", "  Paris  "),
                arguments("${ params.city }", "Paris"),
                arguments("Weather in ${params.city}", "Weather in Paris"),
                arguments("n=${params.n}, r=${params.ratio}, f=${params.flag}", "n=3, r=0.5, f=false"),
                arguments("missing=[${params.missing}]", "missing=[]"),
                arguments("obj=${params.obj} list=${params.list}", "obj={\"a\":1} list=[\"x\",\"y\"]"),
                arguments("${steps.data.items[?price > `100`]}", List.of(map("name", "dear", "price", 150))),
                arguments("${steps.data.items[?price > `100`].name | [0]}", "dear"),
                arguments("${length(steps.data.leads)}", 3L),
                arguments("${length(steps.data.leads) > `2`}", true),
                arguments("count: ${length(steps.data.leads)}", "count: 3"),
                arguments("total: ${sum(steps.data.items[*].price)}", "total: 200"),
                arguments("${length(steps.data.nothing)}", null),
                // numbers compare by value: an Integer of a parsed document equals the Long of a literal
                arguments("${contains(params.nums, `1`)}", true),
                arguments("${contains(steps.data.leads, `2`)}", true),
                arguments("${contains(params.nums, `1.0`)}", true),
                arguments("${contains(params.nums, `4`)}", false),
                arguments("${contains(params.nums, '1')}", false),
                arguments("${contains(params.city, 'ari')}", true),
                // characters are code points, as the JMESPath specification counts them
                arguments("${length('h\u00e9llo \ud83d\ude00')}", 7L),
                // integral results stay integers: a strict parser refuses 2.0 for an integer field
                arguments("${sum(steps.data.leads)}", 6L),
                arguments("${abs(`-2`)}", 2L),
                arguments("${ceil(params.ratio)}", 1L),
                arguments("${floor(`2.5`)}", 2L),
                arguments("${max(params.nums)}", 3),
                arguments("${min(steps.data.leads)}", 1),
                arguments("${avg(`[1, 2]`)}", 1.5),
                arguments("${sum(`[0.5, 0.25]`)}", 0.75),
                arguments("${`{\"nested\": {\"x\": 1}}`.nested}", map("x", 1L)),
                arguments("${{city: params.city, n: params.n}}", map("city", "Paris", "n", 3)),
                // slices as the specification has them: the library failed the run on [::-1] of an empty array
                arguments("${params.empty[::-1]}", List.of()),
                arguments("${params.nums[::-1]}", List.of(2, 1, 3)),
                arguments("${params.city[::-1]}", null),
                // a whole number past a long, as a literal, is the number params hold
                arguments("${params.big == `12345678901234567890`}", true),
                arguments("${`-12345678901234567890`}", new BigInteger("-12345678901234567890")),
                arguments("${now}", "2025-01-15T20:00:00Z"),
                arguments("${now+1h}", "2025-01-15T21:00:00Z"),
                arguments("${now-24h}", "2025-01-14T20:00:00Z"),
                arguments("${now+30m}", "2025-01-15T20:30:00Z"),
                arguments("${now+90s}", "2025-01-15T20:01:30Z"),
                arguments("${now+7d}", "2025-01-22T20:00:00Z"),
                arguments("${now-2w}", "2025-01-01T20:00:00Z"),
                arguments("since ${now-1d} until ${now}", "since 2025-01-14T20:00:00Z until 2025-01-15T20:00:00Z"),
                arguments("${now_date}", "2025-01-16"),
                arguments("${task.id}/${task.title}/${task.timezone}", "task-1/Morning briefing/Asia/Tokyo"),
                arguments("${run.id} #${run.attempt} ${run.trigger} ${run.scheduled_for}",
                        "run-1 #1 schedule 2025-01-15T19:59:00Z"),
                arguments("${run.attempt}", 1L),
                arguments("${event}", null),
                arguments("$${params.city}", "${params.city}"),
                arguments("price $${x} for ${params.city}", "price ${x} for Paris"),
                arguments("$$ and $ alone", "$$ and $ alone"),
                arguments("no templates here", "no templates here"));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource("templates")
    void string_template_renders_to_expected_value(String template, Object expected) {
        assertThat(render(Map.of("value", template)).get("value")).isEqualTo(expected);
    }

    @Test
    void templates_render_at_any_depth_and_leave_other_values_alone() {
        Map<String, Object> with = map(
                "outer", map("list", List.of("${params.n}", "literal", 7, map("deep", "${params.city}"))),
                "number", 12.5, "bool", true, "nothing", null, "${params.city}", "keys are not templates");

        Map<String, Object> args = render(with);

        assertThat(args).isEqualTo(map(
                "outer", map("list", List.of(3, "literal", 7, map("deep", "Paris"))),
                "number", 12.5, "bool", true, "nothing", null, "${params.city}", "keys are not templates"));
    }

    @Test
    void event_fields_are_visible_to_event_runs() {
        RecordingTool tool = new RecordingTool(call -> Map.of());
        PipelineDefinition definition = PipelineDefinition.parse(Map.of("pipeline", List.of(step("use", "t.use",
                "with", map("topic", "${event.topic}", "amount", "${event.payload.amount}", "id", "${event.id}")))), null);

        Pipelines.runner(tool).run(definition, Pipelines.context()
                .withEvent(new RunContext.Event("orders.created", map("amount", 99), "evt-1")));

        assertThat(tool.calls.get(0).args()).isEqualTo(map("topic", "orders.created", "amount", 99, "id", "evt-1"));
    }

    @ParameterizedTest(name = "if {0} → runs: {1}")
    @MethodSource("conditions")
    void condition_follows_jmespath_truthiness(String condition, boolean runs) {
        RecordingTool tool = new RecordingTool(call -> DATA);
        PipelineDefinition definition = PipelineDefinition.parse(Pipelines.payload(PARAMS, List.of(
                step("data", "t.data"), step("maybe", "t.maybe", "if", condition))), null);

        PipelineResult result = Pipelines.runner(tool).run(definition, Pipelines.context());

        assertThat(tool.callsTo("t.maybe")).hasSize(runs ? 1 : 0);
        assertThat(result.trace().get(1).get("status")).isEqualTo(runs ? "ok" : "skipped");
    }

    static Stream<Arguments> conditions() {
        return Stream.of(
                arguments("`true`", true),
                arguments("`false`", false),
                arguments("`0`", true),
                arguments("params.n", true),
                arguments("params.flag", false),
                arguments("params.none", false),
                arguments("params.missing", false),
                arguments("''", false),
                arguments("'x'", true),
                arguments("`[]`", false),
                arguments("`{}`", false),
                arguments("params.list", true),
                arguments("length(steps.data.leads) > `0`", true),
                arguments("length(steps.data.nothing) > `0`", false),
                arguments("steps.data.items[?price > `1000`]", false),
                arguments("steps.data.items[?price > `100`]", true),
                arguments("params.city == 'Paris' && !params.flag", true),
                arguments("${params.n}", true),
                arguments("contains(params.nums, `1`)", true),
                arguments("params.empty[::-1]", false),
                arguments("params.nums[::-1]", true),
                arguments("params.big == `12345678901234567890`", true),
                arguments("params.big == `12345678901234567891`", false),
                arguments("contains(steps.data.leads, `9`)", false));
    }

    private static Map<String, Object> render(Map<String, Object> with) {
        RecordingTool tool = new RecordingTool(call -> call.address().equals("t.data") ? DATA : Map.of());
        PipelineDefinition definition = PipelineDefinition.parse(Pipelines.payload(PARAMS, List.of(
                step("data", "t.data"), step("use", "t.use", "with", with))), null);

        PipelineResult result = Pipelines.runner(tool).run(definition, Pipelines.context());

        assertThat(result.success()).as(result.error()).isTrue();
        return tool.callsTo("t.use").get(0).args();
    }

    static Map<String, Object> map(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }
}
