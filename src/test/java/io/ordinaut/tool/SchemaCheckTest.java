package io.ordinaut.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

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
}
