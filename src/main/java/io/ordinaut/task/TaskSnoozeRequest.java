package io.ordinaut.task;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Delays the task's next occurrence.
 *
 * <p>The OpenAPI description of this request body (and the input schema of the matching MCP tool). The
 * controller reads the body field by field with {@code JsonFields}, which is what enforces these rules.
 */
@Schema(name = "TaskSnoozeRequest", description = "Delays the task's next occurrence")
public record TaskSnoozeRequest(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "Seconds to push the next occurrence back", minimum = "1", maximum = "604800", example = "3600") Integer delaySeconds,
        @Schema(description = "Why; echoed back in the answer's details.reason and not stored (the audit log keeps no request bodies)", maxLength = 500) String reason) {
}
