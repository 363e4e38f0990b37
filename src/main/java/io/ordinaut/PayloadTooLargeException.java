package io.ordinaut;

import java.util.LinkedHashMap;
import java.util.Map;

/** Input over a configured size limit (413); {@link #details()} names the limit and the size found. */
public class PayloadTooLargeException extends RuntimeException {

    private final Map<String, Object> details;

    public PayloadTooLargeException(String message, Map<String, ?> details) {
        super(message);
        this.details = new LinkedHashMap<>(details);
    }

    public Map<String, Object> details() {
        return details;
    }
}
