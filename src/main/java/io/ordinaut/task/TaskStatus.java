package io.ordinaut.task;

import java.util.Arrays;
import java.util.List;

/** A task's lifecycle. Every change of status goes through {@link #canBecome}. */
enum TaskStatus {
    ACTIVE, PAUSED, CANCELED, COMPLETED;

    static final List<String> WIRE_NAMES = Arrays.stream(values()).map(TaskStatus::wireName).toList();

    String wireName() {
        return name().toLowerCase();
    }

    static TaskStatus fromWire(String s) {
        return valueOf(s.toUpperCase());
    }

    /** The one transition table for task status. */
    boolean canBecome(TaskStatus next) {
        return switch (this) {
            case ACTIVE -> next == PAUSED || next == CANCELED || next == COMPLETED;
            case PAUSED -> next == ACTIVE || next == CANCELED;
            case COMPLETED -> next == CANCELED || next == ACTIVE;
            case CANCELED -> false;
        };
    }

    /** The change, checked against the table; a forbidden one is a bug, never a user error. */
    TaskStatus to(TaskStatus next) {
        if (!canBecome(next)) {
            throw new IllegalStateException("task status " + wireName() + " cannot become " + next.wireName());
        }
        return next;
    }
}
