package io.ordinaut;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request that is well formed but clashes with the current state (a canceled task changed, a duplicate
 * run, a name taken). {@link #details()} carries what the caller needs to act, e.g. the current status.
 */
public class ConflictException extends RuntimeException {

    private final Map<String, Object> details;

    public ConflictException(String message, Map<String, ?> details) {
        super(message);
        this.details = details == null ? Map.of() : new LinkedHashMap<>(details);
    }

    public Map<String, Object> details() {
        return details;
    }
}
