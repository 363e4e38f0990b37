package io.ordinaut.queue;

/**
 * How one execution of a run's pipeline ended, before the queue decides what follows.
 *
 * @param retryable on failure: whether another attempt may help (false for validation, schema, 4xx …)
 * @param output    JSON-shaped output (Maps, Lists, scalars) or null
 * @param skipped   the pipeline was not started; {@code error} says why
 */
record RunResult(boolean success, boolean retryable, String error, Object output, boolean skipped) {

    static RunResult succeeded(Object output) {
        return new RunResult(true, false, null, output, false);
    }

    static RunResult failed(String error, boolean retryable, Object output) {
        return new RunResult(false, retryable, error, output, false);
    }

    /** The run did not start its pipeline at all (e.g. over its owner's daily budget). */
    static RunResult skipped(String reason) {
        return new RunResult(false, false, reason, null, true);
    }
}
