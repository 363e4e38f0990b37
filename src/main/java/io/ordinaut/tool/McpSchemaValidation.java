package io.ordinaut.tool;

import io.modelcontextprotocol.json.schema.JsonSchemaValidator;

import java.util.List;
import java.util.Map;

/**
 * Gives the MCP SDK our JSON Schema validation. The SDK's own default is built for
 * json-schema-validator 2.x on Jackson 2 and breaks against the 3.x on our classpath.
 */
final class McpSchemaValidation implements JsonSchemaValidator {

    private final SchemaCheck schemas;

    McpSchemaValidation(SchemaCheck schemas) {
        this.schemas = schemas;
    }

    @Override
    public ValidationResponse validate(Map<String, Object> schema, Object structuredContent) {
        try {
            List<String> violations = schemas.violations("structured content", schema, structuredContent);
            return violations.isEmpty()
                    ? ValidationResponse.asValid(Json.text(structuredContent))
                    : ValidationResponse.asInvalid(String.join("; ", violations));
        } catch (ToolCallException e) {
            return ValidationResponse.asInvalid(e.getMessage());
        }
    }
}
