package io.ordinaut.queue;

/**
 * Executes one claimed run. Must return promptly once its thread is interrupted (run timeout, cancel,
 * shutdown); its result is then ignored.
 */
interface RunHandler {
    RunResult execute(ClaimedRun run);
}
