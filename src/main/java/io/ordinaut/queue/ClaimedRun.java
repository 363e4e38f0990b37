package io.ordinaut.queue;

import java.time.Instant;
import java.util.UUID;

/** A run an executor has leased, with what it needs of its task to execute it. */
record ClaimedRun(UUID id, UUID taskId, Instant scheduledFor, String trigger, int attempt,
                  String taskTitle, String timezone, String payloadJson) {
}
