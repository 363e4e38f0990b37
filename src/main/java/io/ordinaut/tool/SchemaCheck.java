package io.ordinaut.tool;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
