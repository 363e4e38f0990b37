package io.ordinaut.queue;

import java.time.Instant;
import java.util.UUID;

/** The outcome of one run attempt, waiting to be written in the next batch. */
record FinishedRun(UUID id, UUID taskId, Instant scheduledFor, String trigger, int attempt, String status,
                   boolean success, Instant startedAt, Instant finishedAt, String error, Object output) {
}
