package io.ordinaut.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The end of one attempt as it will be written: the attempt's task_run row and what becomes of the
 * queue row — deleted when the run is over, re-queued for {@code retryAt} when it is retried.
 *
 * @param recordId   the task_run id: the run id for the attempt that ends the run, a fresh id for an
 *                   attempt that is followed by another
 * @param retryAfter the backoff before the next attempt (null when the run is over); the retry is due
 *                   that long after the database's now when the outcome is written, never by this
 *                   node's clock
 */
record Outcome(UUID runId, UUID leaseToken, UUID recordId, UUID taskId, Instant scheduledFor, String trigger,
               int attempt, RunStatus status, Boolean success, Instant startedAt, Instant finishedAt, String error,
               Object output, Duration retryAfter) {

    /** What follows a pipeline result: success, a retry after backoff, or the end of the run. */
    static Outcome of(ClaimedRun run, RunResult result, Instant startedAt, Instant finishedAt, Backoff backoff) {
        if (result.success()) {
            return last(run, RunStatus.SUCCEEDED, true, startedAt, finishedAt, null, result.output());
        }
        if (result.skipped()) {
            return new Outcome(run.id(), run.leaseToken(), run.id(), run.taskId(), run.scheduledFor(), run.trigger(),
                    run.attempt(), RunStatus.RUNNING.to(RunStatus.SKIPPED), null, startedAt, finishedAt, result.error(), null, null);
        }
        if (!result.retryable()) {
            // Says why no retry follows, as a retried failure says which attempt it was (pipelines.md).
            return last(run, RunStatus.FAILED, false, startedAt, finishedAt,
                    result.error() + " (not retried: retrying would fail the same way)", result.output());
        }
        if (run.attempt() <= run.maxRetries()) {
            Duration delay = backoff.delay(run.backoffStrategy(), run.attempt());
            // a tool that said when to come back (Retry-After, already bounded by the step's timeout) is not hit earlier
            if (result.retryAfter() != null && result.retryAfter().compareTo(delay) > 0) {
                delay = result.retryAfter();
            }
            return new Outcome(run.id(), run.leaseToken(), UUID.randomUUID(), run.taskId(), run.scheduledFor(), run.trigger(),
                    run.attempt(), RunStatus.RUNNING.to(RunStatus.FAILED), false, startedAt, finishedAt, result.error(),
                    result.output(), delay);
        }
        // A dead letter is a run that used up its retries; a task with max_retries 0 opted out of
        // retrying, so its failure simply ends the run as failed. An attempt past the task's allowance is a
        // retry by request of a run that had used it (POST /runs/{id}/retry gives a dead run one attempt):
        // "attempt 5 of 4" would be impossible, so the message says what it was.
        int allowed = run.maxRetries() + 1;
        String error = result.error() + (run.attempt() > allowed
                ? " (attempt " + run.attempt() + ": a retry by request after the task's " + allowed + " attempts were used; no retries left)"
                : " (attempt " + run.attempt() + " of " + allowed + "; no retries left)");
        RunStatus end = run.maxRetries() > 0 ? RunStatus.DEAD : RunStatus.FAILED;
        return last(run, end, false, startedAt, finishedAt, error, result.output());
    }

    static Outcome canceled(ClaimedRun run, Instant startedAt, Instant finishedAt, String reason, Object output) {
        return last(run, RunStatus.CANCELED, false, startedAt, finishedAt, reason, output);
    }

    /**
     * This attempt as it can be stored when it could not be as it was (its output cannot be written as
     * JSON, or the database refuses its text): the run ends failed — a retry would build the same value —
     * with a short error instead of the offending output.
     */
    Outcome unstorable(String reason) {
        String why = reason == null ? "" : reason.replace('\0', ' ');
        if (why.length() > 300) {
            why = why.substring(0, 300) + "…";
        }
        String was = error == null ? "" : " (the attempt had ended: " + shortened(error.replace('\0', ' ')) + ")";
        return new Outcome(runId, leaseToken, runId, taskId, scheduledFor, trigger, attempt, RunStatus.RUNNING.to(RunStatus.FAILED),
                false, startedAt, finishedAt, "the run's result could not be stored: " + why + was
                + " (not retried: retrying would fail the same way)", null, null);
    }

    private static String shortened(String text) {
        return text.length() <= 500 ? text : text.substring(0, 500) + "…";
    }

    private static Outcome last(ClaimedRun run, RunStatus status, boolean success, Instant startedAt, Instant finishedAt,
                                String error, Object output) {
        return new Outcome(run.id(), run.leaseToken(), run.id(), run.taskId(), run.scheduledFor(), run.trigger(),
                run.attempt(), RunStatus.RUNNING.to(status), success, startedAt, finishedAt, error, output, null);
    }
}
