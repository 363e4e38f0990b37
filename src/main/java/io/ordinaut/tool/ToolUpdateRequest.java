package io.ordinaut.tool;

import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A change to a catalogued tool: only the fields present change; the address stays.
 *
 * <p>The OpenAPI description of this request body (and the input schema of the matching MCP tool). The
 * controller reads the body field by field with {@code JsonFields}, which is what enforces these rules.
 */
@Schema(name = "ToolUpdateRequest", description = "A change to a catalogued tool: only the fields present change; the address stays")
public record ToolUpdateRequest(
        @Schema(description = "Name a pipeline step's uses refers to (server.tool); cannot change", maxLength = 200, example = "weather-mcp.forecast") String address,
        @Schema(description = "How the tool is called", allowableValues = {"http", "mcp", "simulate"}) String transport,
        @Schema(description = "Absolute http(s) URL of the tool (http) or of the MCP server (mcp); absent for simulate", maxLength = 2000) String endpoint,
        @Schema(description = "What the tool does", maxLength = 4000) String description,
        @Schema(description = "JSON Schema the step's resolved arguments must satisfy",
                additionalProperties = Schema.AdditionalPropertiesValue.TRUE) Map<String, Object> inputSchema,
        @Schema(description = "JSON Schema the tool's answer must satisfy",
                additionalProperties = Schema.AdditionalPropertiesValue.TRUE) Map<String, Object> outputSchema,
        @Schema(description = "Scopes the owner of a task must hold to use the tool") List<String> scopes,
        @Schema(description = "Seconds a call may take", minimum = "1", maximum = "3600") Integer timeoutSeconds,
        @Schema(description = "Headers sent with every call; see docs/api.md for secret references") Map<String, String> headers) {
}
