package io.ordinaut;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Input the caller must fix: {@link #field()} names the request field at fault (e.g. {@code schedule_expr},
 * {@code payload.pipeline[2].with.city}) and the message is a sentence the caller can act on. Domain
 * packages throw it; only the web layer turns it into an HTTP answer (400).
 */
public class InvalidInputException extends RuntimeException {

    private final String field;
    private final Map<String, Object> details;

    public InvalidInputException(String field, String message) {
        this(field, message, Map.of());
    }

    /** @param details more for the caller to act on (e.g. the missing scopes), next to the field */
    public InvalidInputException(String field, String message, Map<String, ?> details) {
        super(message);
        this.field = field;
        this.details = new LinkedHashMap<>(details);
    }

    /** The request field at fault, or null when the input as a whole is wrong. */
    public String field() {
        return field;
    }

    /** Everything the error JSON's details carry: the field and any extra facts. */
    public Map<String, Object> details() {
        Map<String, Object> all = new LinkedHashMap<>();
        if (field != null) {
            all.put("field", field);
        }
        all.putAll(details);
        return all;
    }
}
