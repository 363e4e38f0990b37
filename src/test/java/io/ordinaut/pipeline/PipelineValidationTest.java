package io.ordinaut.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.ordinaut.pipeline.Pipelines.step;
import static io.ordinaut.pipeline.TemplateSemanticsTest.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** What is refused when a task is created, and where the error points. */
class PipelineValidationTest {

    private static Map<String, Object> pipeline(Object... steps) {
        return Map.of("pipeline", List.of(steps));
    }

    static Stream<Arguments> invalidPayloads() {
        return Stream.of(
                arguments("not an object", List.of(), "payload", "must be a JSON object"),
                arguments("pipeline missing", Map.of("params", Map.of()), "payload.pipeline", "is required"),
                arguments("pipeline not an array", Map.of("pipeline", Map.of()), "payload.pipeline", "must be an array"),
                arguments("unknown top-level key", Map.of("pipeline", List.of(), "pipline", List.of()),
                        "payload.pipline", "unknown key 'pipline'"),
                arguments("params not an object", Map.of("params", List.of(), "pipeline", List.of()),
                        "payload.params", "must be an object"),
                arguments("step not an object", pipeline("step"), "payload.pipeline[0]", "must be an object"),
                arguments("missing id", pipeline(map("uses", "a.b")), "payload.pipeline[0].id", "is required"),
                arguments("id with a space", pipeline(step("my step", "a.b")), "payload.pipeline[0].id",
                        "letters, digits"),
                arguments("duplicate id", pipeline(step("a", "x.y"), step("b", "x.y"), step("a", "x.y")),
                        "payload.pipeline[2].id", "duplicate step id 'a'"),
                arguments("missing uses", pipeline(map("id", "a")), "payload.pipeline[0].uses", "is required"),
                arguments("uses without namespace", pipeline(step("a", "forecast")), "payload.pipeline[0].uses",
                        "not a tool address"),
                arguments("unknown step key", pipeline(step("a", "x.y", "retries", 3)),
                        "payload.pipeline[0].retries", "unknown key 'retries'"),
                arguments("with not an object", pipeline(step("a", "x.y", "with", List.of())),
                        "payload.pipeline[0].with", "must be an object"),
                arguments("timeout not integer", pipeline(step("a", "x.y", "timeout_seconds", "30")),
                        "payload.pipeline[0].timeout_seconds", "must be an integer"),
                arguments("fractional timeout", pipeline(step("a", "x.y", "timeout_seconds", 1.5)),
                        "payload.pipeline[0].timeout_seconds", "must be an integer"),
                arguments("timeout zero", pipeline(step("a", "x.y", "timeout_seconds", 0)),
                        "payload.pipeline[0].timeout_seconds", "between 1 and 3600"),
                arguments("timeout too long", pipeline(step("a", "x.y", "timeout_seconds", 3601)),
                        "payload.pipeline[0].timeout_seconds", "between 1 and 3600"),
                arguments("too many retries", pipeline(step("a", "x.y", "max_retries", 11)),
                        "payload.pipeline[0].max_retries", "between 0 and 10"),
                arguments("negative retries", pipeline(step("a", "x.y", "max_retries", -1)),
                        "payload.pipeline[0].max_retries", "between 0 and 10"),
                arguments("continue_on_error not boolean", pipeline(step("a", "x.y", "continue_on_error", "yes")),
                        "payload.pipeline[0].continue_on_error", "must be a boolean"),
                arguments("bad save_as", pipeline(step("a", "x.y", "save_as", "my.data")),
                        "payload.pipeline[0].save_as", "letters, digits"),
                arguments("duplicate save_as", pipeline(step("a", "x.y", "save_as", "d"), step("b", "x.y", "save_as", "d")),
                        "payload.pipeline[1].save_as", "already used by step 'a'"),
                arguments("id colliding with earlier save_as", pipeline(step("a", "x.y", "save_as", "b"), step("b", "x.y")),
                        "payload.pipeline[1].id", "set a different save_as"),
                arguments("invalid JMESPath deep in with",
                        pipeline(step("a", "x.y"), step("b", "x.y", "with", map("address", map("city", "${params.[city}")))),
                        "payload.pipeline[1].with.address.city", "invalid JMESPath"),
                arguments("invalid JMESPath in a list",
                        pipeline(step("a", "x.y", "with", map("cities", List.of("ok", "${params.city ==}")))),
                        "payload.pipeline[0].with.cities[1]", "invalid JMESPath"),
                arguments("unknown function", pipeline(step("a", "x.y", "with", map("n", "${count(params.list)}"))),
                        "payload.pipeline[0].with.n", "unknown function"),
                arguments("empty expression", pipeline(step("a", "x.y", "with", map("n", "value ${ }"))),
                        "payload.pipeline[0].with.n", "empty expression"),
                arguments("unterminated template", pipeline(step("a", "x.y", "with", map("n", "value ${params.n"))),
                        "payload.pipeline[0].with.n", "unterminated"),
                arguments("invalid if", pipeline(step("a", "x.y"), step("b", "x.y", "if", "steps.a.status ==")),
                        "payload.pipeline[1].if", "invalid JMESPath"),
                arguments("if not a string", pipeline(step("a", "x.y", "if", true)),
                        "payload.pipeline[0].if", "must be a non-empty JMESPath"),
                arguments("forward reference in with",
                        pipeline(step("a", "x.y", "with", map("x", "${steps.later.value}")), step("later", "x.y")),
                        "payload.pipeline[0].with.x", "runs later"),
                arguments("forward reference by save_as in if",
                        pipeline(step("a", "x.y", "if", "length(steps.results) > `0`"), step("b", "x.y", "save_as", "results")),
                        "payload.pipeline[0].if", "runs later"),
                arguments("forward reference inside a function argument",
                        pipeline(step("a", "x.y"), step("b", "x.y", "with",
                                map("x", "${not_null(steps.a.items[?id == `1`], steps.c.items)}")), step("c", "x.y")),
                        "payload.pipeline[1].with.x", "steps.c"),
                arguments("reference to its own output", pipeline(step("a", "x.y", "with", map("x", "${steps.a}"))),
                        "payload.pipeline[0].with.x", "its own output"),
                arguments("reference to an unknown step", pipeline(step("a", "x.y", "with", map("x", "n=${steps.nope.n}"))),
                        "payload.pipeline[0].with.x", "names no earlier step"),
                arguments("reference by id when saved under another name",
                        pipeline(step("fetch", "x.y", "save_as", "data"), step("b", "x.y", "with", map("x", "${steps.fetch}"))),
                        "payload.pipeline[1].with.x", "use steps.data"),
                arguments("reference inside a multi-select hash",
                        pipeline(step("a", "x.y", "with", map("x", "${{v: steps.later}}")), step("later", "x.y")),
                        "payload.pipeline[0].with.x", "runs later"),
                // JSON literals get a request body's checks: each of these was accepted and changed or broke every run
                arguments("literal number too long to store", pipeline(step("a", "x.y", "with", map("x", "${`1e308`}"))),
                        "payload.pipeline[0].with.x", "309 characters long when stored"),
                arguments("literal number beyond a double", pipeline(step("a", "x.y", "with", map("x", "${`1e999999`}"))),
                        "payload.pipeline[0].with.x", "outside the range of a double"),
                arguments("literal with a NUL character", pipeline(step("a", "x.y", "with", map("x", "${`\"\\u0000\"`}"))),
                        "payload.pipeline[0].with.x", "NUL character"),
                arguments("literal with an unpaired surrogate", pipeline(step("a", "x.y", "with", map("x", "${`\"\\ud800\"`}"))),
                        "payload.pipeline[0].with.x", "unpaired surrogate"),
                arguments("literal naming a key twice", pipeline(step("a", "x.y", "with", map("x", "${`{\"k\": 1, \"k\": 2}`}"))),
                        "payload.pipeline[0].with.x", "Duplicate"),
                arguments("literal in a condition", pipeline(step("a", "x.y", "if", "params.n == `1e200`")),
                        "payload.pipeline[0].if", "characters long when stored"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidPayloads")
    void invalid_payload_is_rejected_naming_the_field(String why, Object payload, String field, String reason) {
        InvalidPipelineException e = catchThrowableOfType(InvalidPipelineException.class,
                () -> PipelineDefinition.parse(payload, address -> true));

        assertThat(e).as(why).isNotNull();
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.reason()).contains(reason);
        assertThat(e.getMessage()).startsWith(field + ": ");
    }

    @Test
    void tool_rejected_by_the_predicate_is_refused_at_its_uses_field() {
        InvalidPipelineException e = catchThrowableOfType(InvalidPipelineException.class, () -> PipelineDefinition.parse(
                pipeline(step("a", "known.tool"), step("b", "unknown.tool")), "known.tool"::equals));

        assertThat(e.field()).isEqualTo("payload.pipeline[1].uses");
        assertThat(e.reason()).contains("unknown tool 'unknown.tool'");
    }

    static Stream<Arguments> validPayloads() {
        return Stream.of(
                arguments("empty pipeline", Map.of("pipeline", List.of())),
                arguments("no params and defaults", pipeline(step("a", "x.y"))),
                arguments("reference to an earlier id", pipeline(step("a", "x.y"), step("b", "x.y", "with", map("v", "${steps.a.v}")))),
                arguments("reference to an earlier save_as",
                        pipeline(step("a", "x.y", "save_as", "d"), step("b", "x.y", "if", "steps.d.ok"))),
                arguments("quoted identifier for a hyphenated id",
                        pipeline(step("fetch-data", "x.y"), step("b", "x.y", "with", map("v", "${steps.\"fetch-data\".rows}")))),
                arguments("field called steps inside a projection",
                        pipeline(step("a", "x.y", "with", map("v", "${params.jobs[?steps.count > `1`].name}")))),
                arguments("field called steps inside an expression reference",
                        pipeline(step("a", "x.y", "with", map("v", "${sort_by(params.jobs, &steps.count)}")))),
                arguments("field called steps after a pipe", pipeline(step("a", "x.y", "with", map("v", "${params.job | steps.later}")))),
                arguments("whole steps object", pipeline(step("a", "x.y", "with", map("v", "${steps}")))),
                arguments("escaped template naming a later step",
                        pipeline(step("a", "x.y", "with", map("v", "$${steps.later}")), step("later", "x.y"))),
                arguments("time arithmetic", pipeline(step("a", "x.y", "with", map("since", "${now-24h}")))),
                arguments("if written as a template", pipeline(step("a", "x.y", "if", "${params.go}"))),
                arguments("all step keys", pipeline(step("a", "x.y", "with", map(), "save_as", "s", "if", "`true`",
                        "timeout_seconds", 3600, "max_retries", 10, "continue_on_error", true))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validPayloads")
    void valid_payload_is_accepted(String why, Map<String, Object> payload) {
        assertThatCode(() -> PipelineDefinition.parse(payload, null)).as(why).doesNotThrowAnyException();
    }

    @Test
    void jackson_tree_payload_is_accepted_like_a_map() {
        var tree = JsonMapper.shared().readTree("""
                {"params": {"city": "Oslo"},
                 "pipeline": [{"id": "w", "uses": "weather.forecast", "with": {"city": "${params.city}"}}]}""");

        PipelineDefinition definition = PipelineDefinition.parse(tree, null);

        assertThat(definition.stepIds()).containsExactly("w");
        assertThat(definition.params()).isEqualTo(Map.of("city", "Oslo"));
        assertThat(definition.toolAddresses()).containsExactly("weather.forecast");
    }

    @Test
    void known_arguments_keep_literals_and_point_at_every_templated_value() {
        var tree = JsonMapper.shared().readTree("""
                {"pipeline": [{"id": "a", "uses": "x.y"},
                              {"id": "b", "uses": "x.z", "with": {"city": "Oslo", "days": "${params.days}",
                               "note": "in ${params.city}", "a/b": {"n": 1, "m": "${params.m}"}, "list": [1, "${params.i}"],
                               "escaped": "$${not a template}"}}]}""");

        PipelineDefinition.KnownArguments b = PipelineDefinition.parse(tree, null).knownArguments().get(1);

        assertThat(b.index()).isEqualTo(1);
        assertThat(b.stepId()).isEqualTo("b");
        assertThat(b.uses()).isEqualTo("x.z");
        assertThat(b.templated()).containsExactlyInAnyOrder("/days", "/note", "/a~1b/m", "/list/1");
        assertThat(b.literal()).containsEntry("city", "Oslo").containsEntry("days", null).containsEntry("note", null)
                .containsEntry("escaped", "${not a template}");
        assertThat(b.literal().get("a/b")).isEqualTo(new java.util.HashMap<>(java.util.Map.of("n", 1)) {{ put("m", null); }});
        assertThat(b.literal().get("list")).isEqualTo(java.util.Arrays.asList(1, null));
        assertThat(b.field(List.of("a/b", "m"))).isEqualTo("payload.pipeline[1].with[\"a/b\"].m");
        assertThat(b.field(List.of("list", 1))).isEqualTo("payload.pipeline[1].with.list[1]");
    }
}
