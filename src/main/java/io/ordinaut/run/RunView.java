package io.ordinaut.run;

import java.time.Instant;
import java.util.UUID;

/**
 * A run as the API shows it (snake_case on the wire): a recorded attempt from task_run, or a queued or
 * running one from due_work.
 *
 * @param runId        the logical run this attempt belongs to (equal to {@code id} for the run's
 *                     current or final state)
 * @param runAt        when a queued run is due (retries wait for their backoff); null once recorded
 * @param leasedUntil  while running: until when the node's lease holds
 * @param durationMs   finished_at − started_at of a recorded attempt
 */
record RunView(
        UUID id,
        UUID runId,
        UUID taskId,
        String status,
        String trigger,
        int attempt,
        Instant scheduledFor,
        Instant runAt,
        Boolean success,
        String leaseOwner,
        Instant leasedUntil,
        Instant startedAt,
        Instant finishedAt,
        Long durationMs,
        String error,
        Object output,
        Instant createdAt) {

    static final String HIDDEN_ERROR = "[Error details hidden - use include_errors=true]";

    RunView withErrorHidden() {
        return error == null ? this : new RunView(id, runId, taskId, status, trigger, attempt, scheduledFor, runAt, success,
                leaseOwner, leasedUntil, startedAt, finishedAt, durationMs, HIDDEN_ERROR, output, createdAt);
    }
}
