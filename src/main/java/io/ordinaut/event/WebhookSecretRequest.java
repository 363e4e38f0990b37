package io.ordinaut.event;

import io.swagger.v3.oas.annotations.media.Schema;

/** The OpenAPI description of {@code POST /agents/{id}/webhook_secret}. */
@Schema(name = "WebhookSecretRequest", description = "Creates or rotates an agent's webhook secret")
public record WebhookSecretRequest(
        @Schema(description = "Which run outcomes are posted", allowableValues = {"all", "failures"}) String events) {
}
