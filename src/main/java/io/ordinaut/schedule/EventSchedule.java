package io.ordinaut.schedule;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Fired by published events on a topic, never by time. The expression is a topic or a topic pattern:
 * dot-separated segments of letters, digits and {@code _ : / -}, where a segment {@code *} matches exactly
 * one segment and {@code #} any number of segments (zero or more), e.g. {@code orders.*}, {@code orders.#}.
 */
final class EventSchedule extends BoundedSchedule {

    private static final Pattern PATTERN = Pattern.compile("(?:[A-Za-z0-9_:/-]+|\\*|#)(?:\\.(?:[A-Za-z0-9_:/-]+|\\*|#))*");

    private EventSchedule(ScheduleDefinition definition) {
        super(definition);
    }

    static EventSchedule compile(ScheduleDefinition d) {
        String expr = d.expression();
        if (expr.length() > 200 || !PATTERN.matcher(expr).matches()) {
            throw InvalidScheduleException.expression("'" + expr + "' is not a valid event topic or pattern: use up to"
                    + " 200 characters, dot-separated segments of letters, digits and _ : / -, where a whole segment"
                    + " may be * (exactly one segment) or # (any number of segments), e.g. orders.* or orders.#");
        }
        return new EventSchedule(d);
    }

    @Override
    InstantCursor cursorAfter(Instant after) {
        return InstantCursor.EMPTY;
    }

    @Override
    Optional<Instant> latestWithin(Instant lo, Instant hi) {
        return Optional.empty();
    }

    /** Events have no fire times to share. */
    @Override
    public String sharingKey() {
        return null;
    }
}
