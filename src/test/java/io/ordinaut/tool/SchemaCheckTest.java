package io.ordinaut.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class SchemaCheckTest {

    private final SchemaCheck schemas = new SchemaCheck();

    @Test
    void usable_schemas_of_every_supported_dialect_have_no_problems() {
        assertThat(schemas.schemaProblems(Map.of("type", "object", "required", List.of("city"),
                "properties", Map.of("city", Map.of("type", "string"))))).isEmpty();
        assertThat(schemas.schemaProblems(Map.of("$schema", "http://json-schema.org/draft-07/schema#",
                "type", "object", "properties", Map.of("n", Map.of("type", "integer"))))).isEmpty();
        assertThat(schemas.schemaProblems(Map.of("$schema", "https://json-schema.org/draft/2020-12/schema",
                "type", "array", "items", Map.of("type", "number")))).isEmpty();
    }

    @Test
    void schema_breaking_its_meta_schema_is_reported_with_a_pointer() {
        assertThat(schemas.schemaProblems(Map.of("type", "strin"))).isNotEmpty();
        assertThat(schemas.schemaProblems(Map.of("type", "object", "required", "city")))
                .anySatisfy(problem -> assertThat(problem).contains("/required"));
        assertThat(schemas.schemaProblems(Map.of("type", "object", "properties", Map.of("n", Map.of("minimum", "zero")))))
                .anySatisfy(problem -> assertThat(problem).contains("/properties/n/minimum"));
    }

    @Test
    void unknown_dialect_is_refused() {
        assertThat(schemas.schemaProblems(Map.of("$schema", "https://example.com/my-dialect", "type", "object")))
                .singleElement().asString().contains("not a supported JSON Schema dialect");
    }

    private static final Map<String, Object> FORECAST = Map.of("type", "object", "required", List.of("city"),
            "additionalProperties", false,
            "properties", Map.of("city", Map.of("type", "string"), "days", Map.of("type", "integer"),
                    "unit", Map.of("enum", List.of("C", "F")),
                    "tags", Map.of("type", "array", "items", Map.of("type", "string"), "uniqueItems", true)));

    private static Map<String, Object> object(Object... entries) {
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < entries.length; i += 2) {
            map.put((String) entries[i], entries[i + 1]);
        }
        return map;
    }

    @Test
    void without_unknown_parts_the_known_violations_are_the_run_time_violations() {
        Map<String, Object> value = object("days", "two", "unit", "K", "extra", 1);

        assertThat(schemas.knownViolations("input", FORECAST, value, Set.of()))
                .extracting(ToolRouter.InputViolation::message)
                .containsExactlyInAnyOrderElementsOf(schemas.violations("input", FORECAST, value));
    }

    @Test
    void a_missing_or_unexpected_property_is_placed_at_that_property() {
        assertThat(schemas.knownViolations("input", FORECAST, object("days", null, "extra", 1), Set.of("/days")))
                .extracting(ToolRouter.InputViolation::path)
                .containsExactlyInAnyOrder(List.of("city"), List.of("extra"));
    }

    @Test
    void unknown_parts_are_not_judged_but_the_keys_around_them_are() {
        // /days unknown (its placeholder null is no integer), /tags/0 unknown (so uniqueItems cannot be judged)
        Map<String, Object> value = object("days", null, "tags", java.util.Arrays.asList(null, "a", 3), "unit", "K");

        assertThat(schemas.knownViolations("input", FORECAST, value, Set.of("/days", "/tags/0")))
                .extracting(ToolRouter.InputViolation::path)
                .containsExactlyInAnyOrder(List.of("city"), List.of("unit"), List.of("tags", 2));
    }

    @Test
    void with_unknown_parts_subschemas_chosen_by_value_are_not_judged() {
        Map<String, Object> schema = Map.of("type", "object",
                "oneOf", List.of(Map.of("required", List.of("city")), Map.of("required", List.of("lat", "lon"))),
                "if", Map.of("properties", Map.of("mode", Map.of("const", "fast"))),
                "then", Map.of("required", List.of("budget")));
        Map<String, Object> value = new java.util.HashMap<>();
        value.put("mode", null);

        assertThat(schemas.knownViolations("input", schema, value, Set.of("/mode"))).isEmpty();
        assertThat(schemas.knownViolations("input", schema, Map.of("mode", "fast"), Set.of())).isNotEmpty();
    }

    @Test
    void pointers_of_unknown_parts_are_escaped_as_rfc_6901_says() {
        Map<String, Object> schema = Map.of("type", "object", "properties", Map.of("a/b", Map.of("type", "integer")));
        Map<String, Object> value = new java.util.HashMap<>();
        value.put("a/b", null);

        assertThat(schemas.knownViolations("input", schema, value, Set.of("/a~1b"))).isEmpty();
        assertThat(schemas.knownViolations("input", schema, value, Set.of())).isNotEmpty();
    }
}
