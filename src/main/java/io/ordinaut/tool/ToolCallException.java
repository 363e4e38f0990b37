package io.ordinaut.tool;

import java.time.Duration;

/**
 * A failed tool call. {@link #retryable()} is false when trying again cannot help (validation,
 * schema, 4xx, scope, refused destination, tool-reported errors) and true for transient failures
 * (timeouts, 5xx, 429, connection errors).
 */
public class ToolCallException extends RuntimeException {

    private final boolean retryable;
    private final Integer httpStatus;
    private final Duration retryAfter;

    public ToolCallException(String message, boolean retryable) {
        this(message, retryable, null, null);
    }

    public ToolCallException(String message, boolean retryable, Integer httpStatus, Throwable cause) {
        this(message, retryable, httpStatus, cause, null);
    }

    /** @param retryAfter how long the tool asked callers to wait (its 429/503 {@code Retry-After}), or null */
    public ToolCallException(String message, boolean retryable, Integer httpStatus, Throwable cause, Duration retryAfter) {
        super(message, cause);
        this.retryable = retryable;
        this.httpStatus = httpStatus;
        this.retryAfter = retryAfter;
    }

    public static ToolCallException retryable(String message) {
        return new ToolCallException(message, true);
    }

    public static ToolCallException permanent(String message) {
        return new ToolCallException(message, false);
    }

    public boolean retryable() {
        return retryable;
    }

    /** How long the tool asked to be left alone before the next attempt, or null when it did not say. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** The HTTP status the tool answered with, or null when there was none. */
    public Integer httpStatus() {
        return httpStatus;
    }
}
