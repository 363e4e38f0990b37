package io.ordinaut.task;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** A stored task, as the task table holds it. */
record Task(
        UUID id,
        String title,
        String description,
        UUID createdBy,
        String scheduleKind,
        String scheduleExpr,
        String timezone,
        Map<String, Object> payload,
        TaskStatus status,
        int priority,
        int maxRetries,
        String backoffStrategy,
        String dedupeKey,
        Integer dedupeWindowSeconds,
        String concurrencyKey,
        int misfireGraceSeconds,
        int jitterSeconds,
        Instant startAt,
        Instant endAt,
        UUID scheduleId,
        Instant activeSince,
        Instant snoozedFor,
        Integer snoozeSeconds,
        Instant createdAt,
        Instant updatedAt,
        RunPolicy runPolicy) {

    Task withStatus(TaskStatus next, Instant now) {
        return new Task(id, title, description, createdBy, scheduleKind, scheduleExpr, timezone, payload, next, priority,
                maxRetries, backoffStrategy, dedupeKey, dedupeWindowSeconds, concurrencyKey, misfireGraceSeconds,
                jitterSeconds, startAt, endAt, scheduleId, activeSince, snoozedFor, snoozeSeconds, createdAt, now, runPolicy);
    }
}
