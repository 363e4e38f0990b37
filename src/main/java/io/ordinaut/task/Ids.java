package io.ordinaut.task;

import java.util.UUID;

import io.ordinaut.NotFoundException;


/** Path ids: a malformed UUID names no task, so it is a 404 like any unknown id. */
final class Ids {

    private Ids() {
    }

    static UUID task(String raw) {
        try {
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw new NotFoundException("Task", raw);
        }
    }
}
