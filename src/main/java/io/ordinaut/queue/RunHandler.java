package io.ordinaut.queue;

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
}
