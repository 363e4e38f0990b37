package io.ordinaut.task;

import java.time.Instant;
import java.util.UUID;

import io.ordinaut.TaskStatus;

/**
 * What the system keeps about a task, as opposed to what its owner set ({@link TaskSpec}).
 *
 * @param scheduleId    the shared schedule the task fires with; null while it is not active or is event-driven
 * @param activeSince   occurrences at or before this instant never run (creation, resume, schedule change)
 * @param snoozedFor    the occurrence a snooze delays, or null
 * @param snoozeSeconds how long that occurrence is delayed, or null
 */
record TaskState(TaskStatus status, UUID scheduleId, Instant activeSince, Instant snoozedFor, Integer snoozeSeconds,
                 Instant createdAt, Instant updatedAt) {

    TaskState {
        if ((snoozedFor == null) != (snoozeSeconds == null)) {
            throw new IllegalArgumentException("snoozed_for and snooze_seconds are set together (got " + snoozedFor
                    + ", " + snoozeSeconds + ")");
        }
    }

    static TaskState createdAt(Instant now) {
        return new TaskState(TaskStatus.ACTIVE, null, now, null, null, now, now);
    }

    TaskState touched(Instant now) {
        return new TaskState(status, scheduleId, activeSince, snoozedFor, snoozeSeconds, createdAt, now);
    }

    /** Only {@link Task} calls this, after checking the transition table. */
    TaskState withStatus(TaskStatus next, Instant now) {
        return new TaskState(next, scheduleId, activeSince, snoozedFor, snoozeSeconds, createdAt, now);
    }

    /** Starts afresh from {@code now}: off the shared schedule, active since now, no snooze. */
    TaskState rescheduled(Instant now) {
        return new TaskState(status, null, now, null, null, createdAt, now);
    }

    TaskState onSchedule(UUID schedule) {
        return new TaskState(status, schedule, activeSince, snoozedFor, snoozeSeconds, createdAt, updatedAt);
    }

    TaskState offSchedule() {
        return new TaskState(status, null, activeSince, snoozedFor, snoozeSeconds, createdAt, updatedAt);
    }

    TaskState snoozed(Instant occurrence, int seconds, Instant now) {
        return new TaskState(status, scheduleId, activeSince, occurrence, seconds, createdAt, now);
    }
}
