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
        return new TaskView(t.id(), t.spec().title(), t.spec().description(), t.spec().scheduleKind(), t.spec().scheduleExpr(), t.spec().timezone(), t.spec().payload(),
                t.status().wireName(), t.spec().priority(), t.spec().maxRetries(), t.spec().backoffStrategy(), t.spec().dedupeKey(),
                t.spec().dedupeWindowSeconds(), t.spec().concurrencyKey(), t.spec().runPolicy().concurrencyLimit(), t.spec().runPolicy().overlapPolicy(),
                t.spec().runPolicy().runTimeoutSeconds(), t.createdBy(), t.spec().misfireGraceSeconds(), t.spec().jitterSeconds(),
                t.spec().startAt(), t.spec().endAt(), nextRunAt, t.state().createdAt(), t.state().updatedAt());
    }
}
