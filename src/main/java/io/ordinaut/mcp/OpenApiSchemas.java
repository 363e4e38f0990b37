package io.ordinaut.mcp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON Schemas of the REST API, read from the node's own OpenAPI document (/v3/api-docs, generated
 * by springdoc from the typed {@code *Request} records and the controllers' {@code @Parameter}s). The
 * MCP tools take their input schemas from here, so a tool and its REST twin cannot describe different
 * bodies.
 */
final class OpenApiSchemas {

    private static final int MAX_DEPTH = 20;

    private final Map<String, Object> document;

    OpenApiSchemas(Map<String, Object> document) {
        this.document = document;
    }

    /** The input schema of a tool: its twin's request body or query parameters, with the id argument first. */
    Map<String, Object> input(OrdinautTool tool) {
        Map<String, Object> operation = operation(tool.operationId());
        Map<String, Object> properties = new LinkedHashMap<>();
        List<Object> required = new ArrayList<>();
        if (tool.idArgument() != null) {
            Map<String, Object> id = new LinkedHashMap<>();
            id.put("type", "string");
            id.put("format", "uuid");
            id.put("description", "The " + tool.idHint().replaceFirst("^the ", ""));
            properties.put(tool.idArgument(), id);
            required.add(tool.idArgument());
        }
        String description = null;
        switch (tool.arguments()) {
            case BODY -> {
                Map<String, Object> body = requestBody(operation);
                properties.putAll(map(body.get("properties")));
                if (body.get("required") instanceof List<?> list) {
                    required.addAll(list);
                }
                description = (String) body.get("description");
            }
            case QUERY -> properties.putAll(queryParameters(operation));
            case NONE -> {
            }
        }
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        if (description != null) {
            schema.put("description", description);
        }
        schema.put("properties", properties);
        if (!required.isEmpty()) {
            schema.put("required", required);
        }
        return schema;
    }

    /**
     * The output schema of a tool: its twin's success response, with every property not listed as
     * required allowed to be null (the REST API writes absent values as null). springdoc writes the
     * components of OpenAPI 3.1 (TaskView, RunView) without {@code "type": "object"}: a schema with
     * properties is an object all the same, and says so here, since MCP requires an object type.
     */
    Map<String, Object> output(OrdinautTool tool) {
        Map<String, Object> responses = map(operation(tool.operationId()).get("responses"));
        for (String status : List.of("200", "201", "202")) {
            Map<String, Object> content = map(map(responses.get(status)).get("content"));
            for (Object media : content.values()) {
                Object schema = map(media).get("schema");
                if (schema != null) {
                    Map<String, Object> resolved = map(resolve(schema, 0));
                    Object type = resolved.get("type");
                    if ("object".equals(type) || type == null && resolved.get("properties") instanceof Map<?, ?>) {
                        Map<String, Object> object = new LinkedHashMap<>();
                        object.put("type", "object");
                        resolved.forEach(object::putIfAbsent);
                        return nullable(object);
                    }
                }
            }
        }
        throw new IllegalStateException("operation " + tool.operationId() + " answers no JSON object in the OpenAPI document; "
                + "the tool " + tool.name() + " needs one for its outputSchema");
    }

    /** The request body schema of an operation, references resolved. */
    Map<String, Object> requestBody(Map<String, Object> operation) {
        Map<String, Object> content = map(map(operation.get("requestBody")).get("content"));
        Object schema = map(content.get("application/json")).get("schema");
        if (schema == null) {
            throw new IllegalStateException("operation " + operation.get("operationId") + " has no JSON request body in the OpenAPI document");
        }
        return map(resolve(schema, 0));
    }

    /** The query parameters of an operation as schema properties (each its schema plus its description). */
    Map<String, Object> queryParameters(Map<String, Object> operation) {
        Map<String, Object> properties = new LinkedHashMap<>();
        if (operation.get("parameters") instanceof List<?> parameters) {
            for (Object p : parameters) {
                Map<String, Object> parameter = map(resolve(p, 0));
                if ("query".equals(parameter.get("in"))) {
                    Map<String, Object> schema = new LinkedHashMap<>(map(resolve(parameter.get("schema"), 0)));
                    if (parameter.get("description") != null) {
                        schema.putIfAbsent("description", parameter.get("description"));
                    }
                    properties.put((String) parameter.get("name"), schema);
                }
            }
        }
        return properties;
    }

    /** The operation with this id; fails when the document lacks it (a renamed route must not go unnoticed). */
    Map<String, Object> operation(String operationId) {
        for (Object item : map(document.get("paths")).values()) {
            for (Object operation : map(item).values()) {
                if (operation instanceof Map<?, ?> o && operationId.equals(o.get("operationId"))) {
                    return map(o);
                }
            }
        }
        throw new IllegalStateException("the OpenAPI document has no operation " + operationId);
    }

    /** A copy of a schema with {@code $ref}s to the document's components replaced by what they name. */
    Object resolve(Object node, int depth) {
        if (depth > MAX_DEPTH) {
            return Map.of();
        }
        if (node instanceof Map<?, ?> m) {
            if (m.get("$ref") instanceof String ref && ref.startsWith("#/")) {
                Object target = document;
                for (String part : ref.substring(2).split("/")) {
                    target = map(target).get(part);
                }
                return resolve(target, depth + 1);
            }
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(k.toString(), resolve(v, depth + 1)));
            return copy;
        }
        if (node instanceof List<?> list) {
            return list.stream().map(v -> resolve(v, depth + 1)).toList();
        }
        return node;
    }

    private static Map<String, Object> nullable(Map<String, Object> schema) {
        Map<String, Object> copy = new LinkedHashMap<>(schema);
        List<?> required = copy.get("required") instanceof List<?> r ? r : List.of();
        if (copy.get("properties") instanceof Map<?, ?> properties) {
            Map<String, Object> loosened = new LinkedHashMap<>();
            properties.forEach((name, property) -> {
                Map<String, Object> p = new LinkedHashMap<>(map(property));
                if (!required.contains(name)) {
                    Object type = p.get("type");
                    if (type instanceof String t) {
                        p.put("type", List.of(t, "null"));
                    } else if (type instanceof List<?> types && !types.contains("null")) {
                        List<Object> withNull = new ArrayList<>(types);
                        withNull.add("null");
                        p.put("type", withNull);
                    }
                }
                loosened.put(name.toString(), p);
            });
            copy.put("properties", loosened);
        }
        return copy;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
