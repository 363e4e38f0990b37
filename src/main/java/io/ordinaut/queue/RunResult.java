package io.ordinaut.queue;

import java.time.Duration;

/**
 * How one execution of a run's pipeline ended, before the queue decides what follows.
 *
 * @param retryable on failure: whether another attempt may help (false for validation, schema, 4xx …)
 * @param output    JSON-shaped output (Maps, Lists, scalars) or null
 * @param skipped   the pipeline was not started; {@code error} says why
 * @param retryAfter on a retryable failure: the least wait before the retry (a tool's {@code Retry-After}), or null
 */
record RunResult(boolean success, boolean retryable, String error, Object output, boolean skipped, Duration retryAfter) {

    static RunResult succeeded(Object output) {
        return new RunResult(true, false, null, output, false, null);
    }

    static RunResult failed(String error, boolean retryable, Object output) {
        return failed(error, retryable, output, null);
    }

    static RunResult failed(String error, boolean retryable, Object output, Duration retryAfter) {
        return new RunResult(false, retryable, error, output, false, retryAfter);
    }

    /** The run did not start its pipeline at all (e.g. over its owner's daily budget). */
    static RunResult skipped(String reason) {
        return new RunResult(false, false, reason, null, true, null);
    }
}
