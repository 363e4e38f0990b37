package io.ordinaut.queue;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The status of a run (and of each recorded attempt), with the one transition table every change of
 * status goes through. A run is {@code queued} or {@code running} while it is a due_work row; each
 * attempt that ends writes a task_run row with one of the other statuses.
 *
 * <pre>
 * queued  → running (claimed) | skipped (overlap or dedupe) | canceled
 * running → succeeded | failed | dead | canceled
 *         | queued (re-queued: retry after a failure, reclaim after a lost lease; released unchanged when
 *           it never started: shutdown, a claim whose reply was lost)
 * failed  → queued (POST /runs/{id}/retry of a run that failed for good)
 * dead    → queued (POST /runs/{id}/retry of a dead letter)
 *         | failed (that retry's other half: the dead attempt's record, moved to an id of its own, is then
 *           an earlier attempt that failed and was retried, no longer a dead letter)
 * succeeded, skipped, canceled: final
 * </pre>
 *
 * {@code failed} is the status of an attempt that failed; it is final when the error was not
 * retryable or the task allows no retries (max_retries 0). {@code dead} is a run that used up its
 * retries (a dead letter).
 */
public enum RunStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, DEAD, SKIPPED, CANCELED;

    public static final List<String> WIRE_NAMES = Arrays.stream(values()).map(RunStatus::wireName).toList();

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status as a quoted SQL literal, for statements that write or filter on it. */
    public String sql() {
        return "'" + wireName() + "'";
    }

    public static RunStatus fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }

    /** The transition table. */
    public boolean canBecome(RunStatus next) {
        return switch (this) {
            case QUEUED -> next == RUNNING || next == SKIPPED || next == CANCELED;
            // RUNNING -> SKIPPED: claimed, then refused before its pipeline started (over the owner's budget).
            case RUNNING -> next == SUCCEEDED || next == FAILED || next == DEAD || next == CANCELED || next == QUEUED
                    || next == SKIPPED;
            case FAILED -> next == QUEUED;
            case DEAD -> next == QUEUED || next == FAILED;
            case SUCCEEDED, SKIPPED, CANCELED -> false;
        };
    }

    /** The change, checked against the table; statements declare theirs so none can invent one. */
    RunStatus to(RunStatus next) {
        if (!canBecome(next)) {
            throw new IllegalStateException("run status " + wireName() + " cannot become " + next.wireName());
        }
        return next;
    }
}
