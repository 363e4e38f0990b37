package io.ordinaut.task;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** A task as the API shows it (snake_case on the wire). */
record TaskView(
        UUID id,
        String title,
        String description,
        String scheduleKind,
        String scheduleExpr,
        String timezone,
        Map<String, Object> payload,
        String status,
        int priority,
        int maxRetries,
        String backoffStrategy,
        String dedupeKey,
        Integer dedupeWindowSeconds,
        String concurrencyKey,
        int concurrencyLimit,
        String overlapPolicy,
        Integer runTimeoutSeconds,
        UUID createdBy,
        int misfireGraceSeconds,
        int jitterSeconds,
        Instant startAt,
        Instant endAt,
        Instant nextRunAt,
        Instant createdAt,
        Instant updatedAt) {

    static TaskView of(Task t, Instant nextRunAt) {
        return new TaskView(t.id(), t.title(), t.description(), t.scheduleKind(), t.scheduleExpr(), t.timezone(), t.payload(),
                t.status().wireName(), t.priority(), t.maxRetries(), t.backoffStrategy(), t.dedupeKey(),
                t.dedupeWindowSeconds(), t.concurrencyKey(), t.runPolicy().concurrencyLimit(), t.runPolicy().overlapPolicy(),
                t.runPolicy().runTimeoutSeconds(), t.createdBy(), t.misfireGraceSeconds(), t.jitterSeconds(),
                t.startAt(), t.endAt(), nextRunAt, t.createdAt(), t.updatedAt());
    }
}
