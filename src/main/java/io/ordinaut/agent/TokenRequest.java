package io.ordinaut.agent;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * An agent's id and secret, exchanged for an access and a refresh token.
 *
 * <p>The OpenAPI description of this request body (and the input schema of the matching MCP tool). The
 * controller reads the body field by field with {@code JsonFields}, which is what enforces these rules.
 */
@Schema(name = "TokenRequest", description = "An agent's id and secret, exchanged for an access and a refresh token")
public record TokenRequest(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "The agent's id", format = "uuid") String agentId,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "The secret from POST /agents/{id}/credentials", maxLength = 500) String agentSecret) {
}
