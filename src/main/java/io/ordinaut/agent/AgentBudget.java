package io.ordinaut.agent;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * An agent's limits; a null field means unlimited.
 *
 * <p>The OpenAPI description of this request body (and the input schema of the matching MCP tool). The
 * controller reads the body field by field with {@code JsonFields}, which is what enforces these rules.
 */
@Schema(name = "AgentBudget", description = "An agent's limits; a null field means unlimited")
public record AgentBudget(
        @Schema(description = "API calls per hour", minimum = "1") Integer apiCallsPerHour,
        @Schema(description = "Runs of its tasks per day", minimum = "1") Integer runsPerDay) {
}
