package io.ordinaut.task;

import java.time.Instant;
import java.util.UUID;

import io.ordinaut.TaskStatus;

/**
 * A stored task: what the user asked for ({@link TaskSpec}) and what the system keeps about it
 * ({@link TaskState}). Changes are named ({@link #withSpec}, {@link #withStatus}, {@link #snoozed} …) so
 * that no caller rebuilds a task field by field.
 */
record Task(UUID id, TaskSpec spec, TaskState state) {

    /** A new task: active from {@code now}, not yet on a shared schedule. */
    static Task created(UUID id, TaskSpec spec, Instant now) {
        return new Task(id, spec, TaskState.createdAt(now));
    }

    UUID createdBy() {
        return spec.createdBy();
    }

    TaskStatus status() {
        return state.status();
    }

    UUID scheduleId() {
        return state.scheduleId();
    }

    Instant activeSince() {
        return state.activeSince();
    }

    /**
     * The user's changes. A changed schedule starts afresh from {@code now}: off its old shared schedule
     * (the caller joins the new one), active since now, any snooze dropped.
     */
    /** The same task on shared schedule {@code scheduleId}. */
    Task onSchedule(UUID scheduleId) {
        return new Task(id, spec, state.onSchedule(scheduleId));
    }

    Task withSpec(TaskSpec next, Instant now) {
        TaskState kept = next.sameSchedule(spec) ? state.touched(now) : state.rescheduled(now);
        return new Task(id, next, kept);
    }

    /** A status change, checked against {@link TaskStatus}'s transition table; leaving active leaves the schedule. */
    Task withStatus(TaskStatus next, Instant now) {
        TaskState changed = changedTo(next, now);
        return new Task(id, spec, next == TaskStatus.ACTIVE ? changed : changed.offSchedule());
    }

    /** Active again from {@code now}: missed occurrences are not replayed, the snooze is dropped. */
    Task resumed(Instant now) {
        return new Task(id, spec, changedTo(TaskStatus.ACTIVE, now).rescheduled(now));
    }

    /** The run for {@code occurrence} starts {@code seconds} later. */
    Task snoozed(Instant occurrence, int seconds, Instant now) {
        return new Task(id, spec, state.snoozed(occurrence, seconds, now));
    }

    // The transition table is checked here, at the change itself: a forbidden change is a bug, never a
    // user error (callers answer those with 409 before getting here).
    private TaskState changedTo(TaskStatus next, Instant now) {
        if (!state.status().canBecome(next)) {
            throw new IllegalStateException("Task " + id + ": status " + state.status().wireName() + " cannot become "
                    + next.wireName());
        }
        return state.withStatus(next, now);
    }
}
