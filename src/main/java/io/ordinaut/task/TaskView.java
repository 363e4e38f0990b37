package io.ordinaut.task;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A task as the API shows it (snake_case on the wire). The fields marked required are never null; the
 * others are null when unset (the MCP tools' output schemas allow null for exactly those).
 */
record TaskView(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) UUID id,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String title,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String description,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String scheduleKind,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String scheduleExpr,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String timezone,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, additionalProperties = Schema.AdditionalPropertiesValue.TRUE) Map<String, Object> payload,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String status,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int priority,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int maxRetries,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String backoffStrategy,
        String dedupeKey,
        Integer dedupeWindowSeconds,
        String concurrencyKey,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int concurrencyLimit,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String overlapPolicy,
        Integer runTimeoutSeconds,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) UUID createdBy,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int misfireGraceSeconds,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int jitterSeconds,
        Instant startAt,
        Instant endAt,
        Instant nextRunAt,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Instant createdAt,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Instant updatedAt) {

    static TaskView of(Task t, Instant nextRunAt) {
        return new TaskView(t.id(), t.spec().title(), t.spec().description(), t.spec().scheduleKind(), t.spec().scheduleExpr(), t.spec().timezone(), t.spec().payload(),
                t.status().wireName(), t.spec().priority(), t.spec().maxRetries(), t.spec().backoffStrategy(), t.spec().dedupeKey(),
                t.spec().dedupeWindowSeconds(), t.spec().concurrencyKey(), t.spec().runPolicy().concurrencyLimit(), t.spec().runPolicy().overlapPolicy(),
                t.spec().runPolicy().runTimeoutSeconds(), t.createdBy(), t.spec().misfireGraceSeconds(), t.spec().jitterSeconds(),
                t.spec().startAt(), t.spec().endAt(), nextRunAt, t.state().createdAt(), t.state().updatedAt());
    }
}
