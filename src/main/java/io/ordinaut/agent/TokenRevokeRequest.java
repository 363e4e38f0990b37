package io.ordinaut.agent;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A token to revoke (with the tokens issued with it).
 *
 * <p>The OpenAPI description of this request body (and the input schema of the matching MCP tool). The
 * controller reads the body field by field with {@code JsonFields}, which is what enforces these rules.
 */
@Schema(name = "TokenRevokeRequest", description = "A token to revoke (with the tokens issued with it)")
public record TokenRevokeRequest(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "An access or refresh token", maxLength = 500) String token) {
}
