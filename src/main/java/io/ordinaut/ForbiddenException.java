package io.ordinaut;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the caller is authenticated for but may not make because of who it is — not a missing scope
 * (the web layer refuses those before any domain code runs) but a rule of the domain, e.g. only admins'
 * tools may read secrets. The message names the rule; the web layer answers 403.
 */
public class ForbiddenException extends RuntimeException {

    private final Map<String, Object> details;

    public ForbiddenException(String message, Map<String, ?> details) {
        super(message);
        this.details = details == null ? Map.of() : new LinkedHashMap<>(details);
    }

    public Map<String, Object> details() {
        return details;
    }
}
