package io.ordinaut;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A server Ordinaut called on the caller's behalf (a tool server during discovery) failed or answered
 * nonsense; the caller's request was fine but could not be completed (502).
 */
public class UpstreamFailureException extends RuntimeException {

    private final String error;
    private final Map<String, Object> details;

    public UpstreamFailureException(String error, String message, Map<String, ?> details) {
        super(message);
        this.error = error;
        this.details = details == null ? Map.of() : new LinkedHashMap<>(details);
    }

    /** A short error code for the error JSON, e.g. "ToolServerError". */
    public String error() {
        return error;
    }

    public Map<String, Object> details() {
        return details;
    }
}
