package io.ordinaut.tool;

/**
 * A failed tool call. {@link #retryable()} is false when trying again cannot help (validation,
 * schema, 4xx, scope, refused destination, tool-reported errors) and true for transient failures
 * (timeouts, 5xx, 429, connection errors).
 */
public class ToolCallException extends RuntimeException {

    private final boolean retryable;
    private final Integer httpStatus;

    public ToolCallException(String message, boolean retryable) {
        this(message, retryable, null, null);
    }

    public ToolCallException(String message, boolean retryable, Integer httpStatus, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.httpStatus = httpStatus;
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

    /** The HTTP status the tool answered with, or null when there was none. */
    public Integer httpStatus() {
        return httpStatus;
    }
}
