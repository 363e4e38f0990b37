package io.ordinaut.schedule;

import java.time.Instant;

/** A one-pass, ascending, duplicate-free stream of fire instants. */
interface InstantCursor {

    /** The next instant, or null when there are no more. */
    Instant next();

    InstantCursor EMPTY = () -> null;
}
