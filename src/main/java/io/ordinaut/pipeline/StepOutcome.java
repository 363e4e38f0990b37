package io.ordinaut.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What happened to one step, with its trace entry.
 *
 * @param retryAfter on failure: how long the tool asked to be left alone ({@code Retry-After}), or null
 */
record StepOutcome(Status status, Object output, String error, boolean retryable, boolean interrupted,
                   Map<String, Object> traceEntry, Duration retryAfter) {

    enum Status { OK, SKIPPED, FAILED }

    /** Measures one step and builds its outcome. */
    static final class Timer {
        private final Step step;
        private final Instant startedAt;
        private final long startNanos = System.nanoTime();

        Timer(Step step, Instant startedAt) {
            this.step = step;
            this.startedAt = startedAt;
        }

        StepOutcome ok(int attempts, Object output) {
            return new StepOutcome(Status.OK, output, null, false, false, entry("ok", attempts, null), null);
        }

        StepOutcome skipped() {
            return new StepOutcome(Status.SKIPPED, null, null, false, false, entry("skipped", 0, null), null);
        }

        StepOutcome failed(int attempts, String error, boolean retryable) {
            return failed(attempts, error, retryable, null);
        }

        StepOutcome failed(int attempts, String error, boolean retryable, Duration retryAfter) {
            return new StepOutcome(Status.FAILED, null, error, retryable, false, entry("failed", attempts, error), retryAfter);
        }

        StepOutcome interrupted(int attempts) {
            return new StepOutcome(Status.FAILED, null, "interrupted", true, true, entry("failed", attempts, "interrupted"), null);
        }

        Step step() {
            return step;
        }

        /** The trace entry of a step the run was ended in, from another thread ({@link PipelineProgress#cut}). */
        Map<String, Object> cut(int attempts, String error) {
            return entry("failed", attempts, error);
        }

        private Map<String, Object> entry(String status, int attempts, String error) {
            Map<String, Object> entry = new LinkedHashMap<>(10);
            entry.put("id", step.id());
            entry.put("uses", step.uses());
            entry.put("status", status);
            entry.put("started_at", startedAt.toString());
            entry.put("duration_ms", (System.nanoTime() - startNanos) / 1_000_000);
            entry.put("attempts", attempts);
            entry.put("error", error);
            return entry;
        }
    }
}
