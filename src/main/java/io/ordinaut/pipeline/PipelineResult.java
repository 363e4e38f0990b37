package io.ordinaut.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one run.
 *
 * @param success     every step succeeded, was skipped, or failed with {@code continue_on_error}
 * @param retryable   on failure: whether running again may help (false for validation, schema, 4xx,
 *                    scope and refused-destination errors)
 * @param interrupted the caller interrupted the run (e.g. run timeout); the thread's interrupt flag is
 *                    set again on return
 * @param failedStep  the id of the step that failed the run, or null
 * @param error       what went wrong, or null on success
 * @param output      {@code {"steps": {name: output}, "trace": [{id, uses, status, started_at,
 *                    duration_ms, attempts, error}]}} as plain Maps/Lists, ready for JSON
 * @param retryAfter  on a retryable failure: how long the failing tool asked to be left alone (its
 *                    {@code Retry-After}, at most the step's timeout), for the run's retry; or null
 */
public record PipelineResult(
        boolean success,
        boolean retryable,
        boolean interrupted,
        String failedStep,
        String error,
        Map<String, Object> output,
        Duration retryAfter) {

    public PipelineResult(boolean success, boolean retryable, boolean interrupted, String failedStep, String error,
                          Map<String, Object> output) {
        this(success, retryable, interrupted, failedStep, error, output, null);
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> steps() {
        return (Map<String, Object>) output.get("steps");
    }

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> trace() {
        return (List<Map<String, Object>>) output.get("trace");
    }
}
