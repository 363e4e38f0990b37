package io.ordinaut.pipeline;

import java.time.Duration;

/**
 * One validated pipeline step.
 *
 * @param storeName  the key its output is saved under in {@code steps}: {@code save_as}, else its id
 * @param condition  the compiled {@code if}, or null when the step always runs
 */
record Step(
        int index,
        String id,
        String uses,
        Template with,
        String storeName,
        CompiledExpression condition,
        Duration timeout,
        int maxRetries,
        boolean continueOnError) {
}
