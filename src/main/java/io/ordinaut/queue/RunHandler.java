package io.ordinaut.queue;

import java.time.Clock;

import io.ordinaut.pipeline.PipelineProgress;

/**
 * Executes one claimed run. Must return promptly once its thread is interrupted (run timeout, cancel,
 * shutdown); its result is then ignored.
 */
interface RunHandler {
    RunResult execute(ClaimedRun run);

    /**
     * As {@link #execute(ClaimedRun)}, keeping {@code progress} up to date: a run ended before it returns
     * (timeout, cancel, shutdown) is recorded with what it did so far.
     */
    default RunResult execute(ClaimedRun run, PipelineProgress progress) {
        return execute(run);
    }

    /**
     * As {@link #execute(ClaimedRun, PipelineProgress)}, stamping what the run records (its steps' times)
     * with {@code runClock}, the clock of its started_at and finished_at.
     */
    default RunResult execute(ClaimedRun run, PipelineProgress progress, Clock runClock) {
        return execute(run, progress);
    }
}
