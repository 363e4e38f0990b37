package io.ordinaut.task;

import java.util.UUID;

import io.ordinaut.web.ApiException;

/** Path ids: a malformed UUID names no task, so it is a 404 like any unknown id. */
final class Ids {

    private Ids() {
    }

    static UUID task(String raw) {
        try {
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("Task", raw);
        }
    }
}
