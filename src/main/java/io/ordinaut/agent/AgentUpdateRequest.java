package io.ordinaut.agent;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A partial update of an agent: only the fields present change.
 *
 * <p>The OpenAPI description of this request body (and the input schema of the matching MCP tool). The
 * controller reads the body field by field with {@code JsonFields}, which is what enforces these rules.
 */
@Schema(name = "AgentUpdateRequest", description = "A partial update of an agent: only the fields present change")
public record AgentUpdateRequest(
        @Schema(description = "Unique name of the agent", minLength = 1, maxLength = 100, example = "briefing-bot") String name,
        @Schema(description = "Scopes granted: built-in ones (tasks:create, tasks:read, tasks:update, tasks:delete, runs:read, runs:write, events:publish, tools:read, tools:write, admin) or a tool's own (crm.read)", example = "[\"tasks:create\", \"tasks:read\", \"runs:read\"]") List<String> scopes,
        @Schema(description = "http(s) URL notified of the agent's run events", maxLength = 2000) String webhookUrl,
        @Schema(description = "Limits of the agent; null removes them") AgentBudget budget) {
}
