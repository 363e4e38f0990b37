package io.ordinaut.queue;

import java.time.Instant;
import java.util.UUID;

/**
 * A run this node has leased, with what it needs of its task to execute it and to decide what follows
 * a failure. {@code leaseToken} fences every later write about the run: it must still match.
 *
 * @param startedAt when the claim took it, by the database's clock: the started_at GET /runs/{id} shows
 *                  while it runs, and the one its record keeps
 */
record ClaimedRun(UUID id, UUID leaseToken, UUID taskId, Instant scheduledFor, Instant runAt, String trigger, int attempt,
                  String taskTitle, String timezone, String payloadJson, int maxRetries, String backoffStrategy,
                  Integer timeoutSeconds, String eventJson, UUID createdBy, Instant startedAt) {
}
