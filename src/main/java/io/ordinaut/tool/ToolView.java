package io.ordinaut.tool;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A tool as the API shows it. Headers appear as configured: secrets are only ever named there
 * ({@code ${env:NAME}}), never resolved into an answer. {@code gone}: discovery found that the tool's MCP
 * server no longer lists it; runs that call it fail.
 */
record ToolView(
        String address,
        String transport,
        String endpoint,
        String description,
        @Schema(additionalProperties = Schema.AdditionalPropertiesValue.TRUE) Map<String, Object> inputSchema,
        @Schema(additionalProperties = Schema.AdditionalPropertiesValue.TRUE) Map<String, Object> outputSchema,
        List<String> scopes,
        int timeoutSeconds,
        Map<String, String> headers,
        Instant createdAt,
        Instant updatedAt,
        UUID createdBy,
        boolean gone,
        Instant goneAt) {

    static ToolView of(ToolCatalog.Entry entry) {
        ToolDefinition t = entry.definition();
        return new ToolView(t.address(), t.transport(), t.endpoint(), t.description(), t.inputSchema(), t.outputSchema(),
                t.scopes(), t.timeoutSeconds(), new TreeMap<>(t.headers()), entry.createdAt(), entry.updatedAt(),
                entry.createdBy(), entry.goneAt() != null, entry.goneAt());
    }

    /** The same fields with their wire names, for answers that add to them. */
    Map<String, Object> asMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("address", address);
        map.put("transport", transport);
        map.put("endpoint", endpoint);
        map.put("description", description);
        map.put("input_schema", inputSchema);
        map.put("output_schema", outputSchema);
        map.put("scopes", scopes);
        map.put("timeout_seconds", timeoutSeconds);
        map.put("headers", headers);
        map.put("created_at", createdAt);
        map.put("updated_at", updatedAt);
        map.put("created_by", createdBy);
        map.put("gone", gone);
        map.put("gone_at", goneAt);
        return map;
    }
}
