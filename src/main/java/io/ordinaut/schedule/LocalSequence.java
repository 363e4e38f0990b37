package io.ordinaut.schedule;

import java.time.LocalDateTime;

/** A recurrence expanded in floating wall-clock time (cron fields, one RRULE). */
interface LocalSequence {

    /** The occurrences at or after {@code inclusiveStart}, ascending. */
    LocalCursor from(LocalDateTime inclusiveStart);

    /**
     * Whether reaching the occurrences at or after {@code inclusiveStart} takes no more than
     * {@code budget} steps of work (periods, dates or instances); only COUNT rules, counted from DTSTART, can
     * take more.
     */
    default boolean reachableWithin(LocalDateTime inclusiveStart, long budget) {
        return true;
    }
}
