package io.ordinaut.task;

import java.util.LinkedHashMap;
import java.util.Map;

import io.ordinaut.InvalidInputException;
import io.ordinaut.PayloadTooLargeException;
import io.ordinaut.web.ApiException;

/**
 * The error of one refused batch item, in the shape (and with the status) POST /tasks would have
 * answered for that body alone: {@code {"error", "message", "details"}}.
 */
final class BatchErrors {

    private BatchErrors() {
    }

    static int status(RuntimeException e) {
        if (e instanceof ApiException api) {
            return api.status().value();
        }
        return e instanceof PayloadTooLargeException ? 413 : 400;
    }

    static Map<String, Object> body(RuntimeException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (e instanceof ApiException api) {
            body.put("error", api.error());
            body.put("message", api.getMessage());
            body.put("details", api.details());
        } else if (e instanceof PayloadTooLargeException tooLarge) {
            body.put("error", "PayloadTooLarge");
            body.put("message", tooLarge.getMessage());
            body.put("details", tooLarge.details());
        } else if (e instanceof InvalidInputException invalid) {
            body.put("error", "ValidationError");
            body.put("message", invalid.getMessage());
            body.put("details", invalid.details());
        } else {
            throw new IllegalStateException("Not an input error: " + e, e);
        }
        return body;
    }
}
