package io.ordinaut.schedule;

import java.time.LocalDateTime;

/** A recurrence expanded in floating wall-clock time (cron fields, one RRULE). */
interface LocalSequence {

    /** The occurrences at or after {@code inclusiveStart}, ascending. */
    LocalCursor from(LocalDateTime inclusiveStart);
}
