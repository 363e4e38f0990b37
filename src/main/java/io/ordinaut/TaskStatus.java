package io.ordinaut;

import java.util.Arrays;
import java.util.List;

/**
 * A task's lifecycle, with its one transition table ({@link #canBecome}). In the root package because
 * the queue and the trigger read the task table's status in their statements (as {@link #sql()}).
 */
public enum TaskStatus {
    ACTIVE, PAUSED, CANCELED, COMPLETED;

    public static final List<String> WIRE_NAMES = Arrays.stream(values()).map(TaskStatus::wireName).toList();

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The status as a quoted SQL literal, for statements that filter on it. */
    public String sql() {
        return "'" + wireName() + "'";
    }

    public static TaskStatus fromWire(String s) {
        return valueOf(s.toUpperCase());
    }

    /** The one transition table for task status. */
    public boolean canBecome(TaskStatus next) {
        return switch (this) {
            case ACTIVE -> next == PAUSED || next == CANCELED || next == COMPLETED;
            case PAUSED -> next == ACTIVE || next == CANCELED;
            case COMPLETED -> next == CANCELED || next == ACTIVE;
            case CANCELED -> false;
        };
    }

    /** The change, checked against the table; a forbidden one is a bug, never a user error. */
    public TaskStatus to(TaskStatus next) {
        if (!canBecome(next)) {
            throw new IllegalStateException("task status " + wireName() + " cannot become " + next.wireName());
        }
        return next;
    }
}
