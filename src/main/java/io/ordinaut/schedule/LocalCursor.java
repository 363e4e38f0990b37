package io.ordinaut.schedule;

import java.time.LocalDateTime;

/** A one-pass, strictly ascending stream of floating wall-clock times. */
interface LocalCursor {

    /** The next local date-time, or null when there are no more. */
    LocalDateTime next();
}
