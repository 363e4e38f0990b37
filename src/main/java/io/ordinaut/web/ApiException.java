package io.ordinaut.web;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;

/**
 * An error a caller can act on. The web layer turns it into the one error JSON:
 * {@code {"error", "message", "details", "request_id", "timestamp"}}.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String error;
    private final Map<String, Object> details;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ApiException(HttpStatus status, String error, String message, Map<String, ?> details) {
        super(message);
        this.status = status;
        this.error = error;
        this.details = details == null ? Map.of() : new LinkedHashMap<>(details);
    }

    /** 400 naming the offending field, e.g. {@code badRequest("schedule_expr", "minute field: 61 is out of range 0-59")}. */
    public static ApiException badRequest(String field, String message) {
        Map<String, Object> details = new LinkedHashMap<>();
        if (field != null) {
            details.put("field", field);
        }
        return new ApiException(HttpStatus.BAD_REQUEST, "ValidationError", message, details);
    }

    public static ApiException notFound(String what, String id) {
        return new ApiException(HttpStatus.NOT_FOUND, "NotFound", what + " " + id + " not found",
                Map.of("resource", what.toLowerCase(), "id", id));
    }

    public static ApiException conflict(String message, Map<String, ?> details) {
        return new ApiException(HttpStatus.CONFLICT, "Conflict", message, details);
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(HttpStatus.UNAUTHORIZED, "Unauthorized", message, Map.of())
                .withHeader("WWW-Authenticate", "Bearer");
    }

    public static ApiException forbidden(String message, Map<String, ?> details) {
        return new ApiException(HttpStatus.FORBIDDEN, "Forbidden", message, details);
    }

    /**
     * The 503 ServiceUnavailable (Retry-After: 5, logged as one WARN line) when the failure says the node's database
     * is unreachable, else null: for servlets outside Spring MVC (/mcp) to answer an outage as the REST routes do.
     */
    public static ApiException databaseUnavailable(HttpServletRequest request, Throwable failure) {
        Throwable unreachable = ApiExceptionHandler.databaseUnreachable(failure);
        return unreachable == null ? null : ApiExceptionHandler.databaseDown(request, unreachable);
    }

    /** Adds a response header (Retry-After, WWW-Authenticate …). */
    public ApiException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public Map<String, String> headers() {
        return headers;
    }

    /** The status as a number, for code that writes the answer without Spring's types (the /mcp servlet). */
    public int statusCode() {
        return status.value();
    }

    public HttpStatus status() {
        return status;
    }

    public String error() {
        return error;
    }

    public Map<String, Object> details() {
        return details;
    }
}
