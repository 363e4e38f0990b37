package io.ordinaut.tool;

/**
 * Performs one tool call. Implementations must be thread-safe, must treat {@link ToolCall#args()} as
 * read-only, and should stop promptly when their thread is interrupted (the pipeline abandons a call
 * that outlives its step timeout).
 */
@FunctionalInterface
public interface ToolInvoker {

    /**
     * @return the tool's output as plain JSON-shaped Java: Map, List, String, Number, Boolean or null
     * @throws ToolCallException when the call failed; its {@link ToolCallException#retryable()} decides
     *                           whether the step may try again
     */
    Object invoke(ToolCall call);

    /**
     * Whether this call returns at once without I/O (e.g. simulated), so the pipeline may run it on its
     * own thread instead of handing it to a timeout-guarded one: the hand-off costs more than such a
     * call itself.
     */
    default boolean completesImmediately(ToolCall call) {
        return false;
    }
}
