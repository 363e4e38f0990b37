package io.ordinaut.run;

import java.time.Instant;
import java.util.UUID;

/** A run as the API shows it: a finished attempt from task_run, or a queued/running one from due_work. */
record RunView(
        UUID id,
        UUID taskId,
        Instant scheduledFor,
        String trigger,
        int attempt,
        String status,
        Boolean success,
        String leaseOwner,
        Instant startedAt,
        Instant finishedAt,
        String error,
        Object output,
        Instant createdAt) {
}
