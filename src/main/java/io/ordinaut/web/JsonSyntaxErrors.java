package io.ordinaut.web;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpStatus;

import tools.jackson.core.JacksonException;

import io.ordinaut.JsonSyntax;

/**
 * The 400 for a request body the parser refused, in the caller's terms ({@link JsonSyntax}): {@code Request body
 * is not valid JSON: trailing comma before '}' at line 1, column 8}. The details carry {@code field: body} and,
 * when known, {@code line} and {@code column} (1-based; columns count bytes).
 */
final class JsonSyntaxErrors {

    static final String SUBJECT = "Request body";

    private JsonSyntaxErrors() {
    }

    /** The 400 for a body the parser refused. */
    static ApiException refusal(JacksonException e) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("field", "body");
        if (JsonSyntax.line(e) > 0) {
            details.put("line", JsonSyntax.line(e));
            details.put("column", JsonSyntax.column(e));
        }
        return new ApiException(HttpStatus.BAD_REQUEST, "ValidationError", JsonSyntax.notValid(SUBJECT, e), details);
    }
}
