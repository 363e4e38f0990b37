package io.ordinaut.agent;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A refresh token, exchanged for a new access token.
 *
 * <p>The OpenAPI description of this request body (and the input schema of the matching MCP tool). The
 * controller reads the body field by field with {@code JsonFields}, which is what enforces these rules.
 */
@Schema(name = "TokenRefreshRequest", description = "A refresh token, exchanged for a new access token")
public record TokenRefreshRequest(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "The refresh_token of an earlier token answer", maxLength = 500) String refreshToken) {
}
