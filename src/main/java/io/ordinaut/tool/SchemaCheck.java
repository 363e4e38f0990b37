package io.ordinaut.tool;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates values against tool JSON Schemas (draft 2020-12 unless the schema says otherwise).
 * Remote {@code $ref}s are never fetched: a schema must not become a way around the egress guard.
 */
final class SchemaCheck {

    private static final int MAX_CACHED = 1_000;
    private static final int MAX_REPORTED = 5;

    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder
                    .schemaRegistryConfig(SchemaRegistryConfig.builder().pathType(PathType.JSON_POINTER).build())
                    .schemaLoader(loader -> loader.fetchRemoteResources(false)));
    private final Map<Map<String, Object>, Schema> compiled = new ConcurrentHashMap<>();

    /**
     * @param what e.g. "input of weather.forecast", used to start the message
     * @throws ToolCallException not retryable, listing the JSON pointers of offending values
     */
    void requireValid(String what, Map<String, Object> schema, Object value) {
        List<String> violations = violations(what, schema, value);
        if (!violations.isEmpty()) {
            throw ToolCallException.permanent(what + " violates its schema: " + String.join("; ", violations));
        }
    }

    /**
     * Why a schema cannot be used, checked against the meta-schema of its {@code $schema} dialect (2020-12
     * when absent) and by compiling it; empty when it is a usable JSON Schema. Meta-schemas ship with the
     * validator, so nothing is fetched.
     */
    List<String> schemaProblems(Map<String, Object> schema) {
        Object declared = schema.get("$schema");
        SpecificationVersion dialect = SpecificationVersion.DRAFT_2020_12;
        if (declared != null) {
            Optional<SpecificationVersion> known = declared instanceof String id
                    ? SpecificationVersion.fromDialectId(id)
                            .or(() -> SpecificationVersion.fromDialectId(id.endsWith("#") ? id.substring(0, id.length() - 1) : id + "#"))
                    : Optional.empty();
            if (known.isEmpty()) {
                return List.of("$schema " + declared + " is not a supported JSON Schema dialect (draft-04, -06, -07, 2019-09, 2020-12)");
            }
            dialect = known.get();
        }
        List<String> problems = new ArrayList<>();
        try {
            Schema meta = registry.getSchema(SchemaLocation.of(dialect.getDialectId()));
            for (Error error : meta.validate(Json.MAPPER.<JsonNode>valueToTree(schema))) {
                if (problems.size() == MAX_REPORTED) {
                    break;
                }
                String pointer = error.getInstanceLocation().toString();
                problems.add((pointer.isEmpty() ? "/" : pointer) + ": " + error.getMessage());
            }
        } catch (RuntimeException e) {
            problems.add("cannot be checked against its meta-schema: " + e.getMessage());
        }
        if (problems.isEmpty()) {
            try {
                schema("schema", schema);
            } catch (ToolCallException e) {
                problems.add(e.getMessage());
            }
        }
        return problems;
    }

    /** Each violation as {@code <json pointer>: <message>}; empty when the value is valid. */
    List<String> violations(String what, Map<String, Object> schema, Object value) {
        JsonNode instance = Json.MAPPER.valueToTree(value);
        List<Error> errors = schema(what, schema).validate(instance);
        List<String> violations = new ArrayList<>();
        for (Error error : errors) {
            if (violations.size() == MAX_REPORTED) {
                violations.add("… " + (errors.size() - MAX_REPORTED) + " more");
                break;
            }
            String pointer = error.getInstanceLocation().toString();
            violations.add((pointer.isEmpty() ? "/" : pointer) + ": " + error.getMessage());
        }
        return violations;
    }

    private Schema schema(String what, Map<String, Object> schema) {
        Schema cached = compiled.get(schema);
        if (cached != null) {
            return cached;
        }
        Schema fresh;
        try {
            fresh = registry.getSchema(Json.MAPPER.<JsonNode>valueToTree(schema));
            fresh.initializeValidators();
        } catch (RuntimeException e) {
            throw ToolCallException.permanent("the schema for " + what + " is invalid: " + e.getMessage());
        }
        if (compiled.size() >= MAX_CACHED) {
            // tool schemas are few; a full cache means churn, so start over rather than track recency
            compiled.clear();
        }
        compiled.put(schema, fresh);
        return fresh;
    }
}
