package io.ordinaut.event;

import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The OpenAPI description of {@code POST /events} (and the input schema of an MCP tool later). The
 * controller reads the body field by field ({@code EventInput}), which is what enforces these rules.
 */
@Schema(name = "EventPublishRequest", description = "An event to publish: it triggers the matching event tasks")
public record EventPublishRequest(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "Dot-separated topic name, no wildcards",
                maxLength = 200, example = "orders.created") String topic,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED,
                description = "A JSON object handed to the triggered pipelines as ${event.payload…}; may be empty ({})",
                additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
        Map<String, Object> payload,
        @Schema(description = "Makes publishing idempotent: the same id again triggers nothing", maxLength = 200) String eventId,
        @Schema(description = "The agent the event comes from (informational): the publisher itself, or left out; "
                + "only an admin may name another agent", format = "uuid") String sourceAgentId) {
}
