package io.ordinaut;

import java.time.Instant;

/**
 * The instants Ordinaut stores and schedules: years 1 to 9999. PostgreSQL's timestamptz reaches further,
 * but not as ISO-8601 text with a five-digit year ("+10000-01-01T00:00:00Z"), which is how instants travel
 * in its JSON batches — so a later instant would fail the statement (a 500) instead of the request (a 400).
 */
public final class Horizon {

    public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private Horizon() {
    }

    public static boolean contains(Instant t) {
        return !t.isBefore(EARLIEST) && !t.isAfter(LATEST);
    }

    /** The instant itself; a 400 naming the field when it is outside the horizon. */
    public static Instant check(String field, Instant t) {
        if (!contains(t)) {
            throw new InvalidInputException(field, field + " must be between " + EARLIEST + " and " + LATEST + " (got " + t + ")");
        }
        return t;
    }
}
