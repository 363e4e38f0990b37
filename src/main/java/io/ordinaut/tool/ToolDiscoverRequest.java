package io.ordinaut.tool;

import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * An MCP server whose tools are catalogued as prefix.tool_name.
 *
 * <p>The OpenAPI description of this request body (and the input schema of the matching MCP tool). The
 * controller reads the body field by field with {@code JsonFields}, which is what enforces these rules.
 */
@Schema(name = "ToolDiscoverRequest", description = "An MCP server whose tools are catalogued as prefix.tool_name")
public record ToolDiscoverRequest(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "Absolute http(s) URL of the MCP server (Streamable HTTP)", maxLength = 2000) String serverUrl,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "Address prefix of the discovered tools: letters, digits, _ and -", maxLength = 100, example = "weather-mcp") String prefix,
        @Schema(description = "Headers sent with every call") Map<String, String> headers,
        @Schema(description = "Scopes needed to use the discovered tools") List<String> scopes,
        @Schema(description = "Seconds a call may take", minimum = "1", maximum = "3600") Integer timeoutSeconds) {
}
