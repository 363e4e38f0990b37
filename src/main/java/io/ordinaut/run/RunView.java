package io.ordinaut.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A run as the API shows it (snake_case on the wire): a recorded attempt from task_run, or a queued or
 * running one from due_work. The fields marked required are never null; the others are null when they do not
 * apply (the MCP tools' output schemas allow null for exactly those).
 *
 * @param runId        the logical run this attempt belongs to (equal to {@code id} for the run's
 *                     current or final state)
 * @param runAt        when a queued run is due (retries wait for their backoff); null once recorded
 * @param leasedUntil  while running: until when the node's lease holds
 * @param durationMs   finished_at − started_at of a recorded attempt
 * @param output       the run's output; in a list, null when left out (outputOmitted)
 * @param outputBytes  in a list, the size of the output left out of this item (its JSON text, in bytes);
 *                     absent otherwise
 * @param outputOmitted in a list, true when this item's output was left out for size (GET /runs/{id}
 *                     shows it); absent otherwise, so an item whose output is listed has the fields it
 *                     always had
 */
record RunView(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) UUID id,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) UUID runId,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) UUID taskId,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String status,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String trigger,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int attempt,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Instant scheduledFor,
        Instant runAt,
        Boolean success,
        String leaseOwner,
        Instant leasedUntil,
        Instant startedAt,
        Instant finishedAt,
        Long durationMs,
        String error,
        Object output,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long outputBytes,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean outputOmitted,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Instant createdAt) {

    static final String HIDDEN_ERROR = "[Error details hidden - use include_errors=true]";

    /** The run with its error and its steps' errors ({@code output.trace[].error}) replaced by the hint. */
    RunView withErrorHidden() {
        Object hiddenOutput = withStepErrorsHidden(output);
        if (error == null && hiddenOutput == output) {
            return this;
        }
        return new RunView(id, runId, taskId, status, trigger, attempt, scheduledFor, runAt, success, leaseOwner,
                leasedUntil, startedAt, finishedAt, durationMs, error == null ? null : HIDDEN_ERROR, hiddenOutput, outputBytes,
                outputOmitted, createdAt);
    }

    /** A copy of the output whose trace entries carry the hint instead of their error; the output itself when none has one. */
    private static Object withStepErrorsHidden(Object output) {
        if (!(output instanceof Map<?, ?> map) || !(map.get("trace") instanceof List<?> trace)
                || trace.stream().noneMatch(step -> step instanceof Map<?, ?> m && m.get("error") != null)) {
            return output;
        }
        List<Object> hiddenTrace = new ArrayList<>(trace.size());
        for (Object step : trace) {
            if (step instanceof Map<?, ?> m && m.get("error") != null) {
                Map<Object, Object> copy = new LinkedHashMap<>(m);
                copy.put("error", HIDDEN_ERROR);
                hiddenTrace.add(copy);
            } else {
                hiddenTrace.add(step);
            }
        }
        Map<Object, Object> copy = new LinkedHashMap<>(map);
        copy.put("trace", hiddenTrace);
        return copy;
    }
}
