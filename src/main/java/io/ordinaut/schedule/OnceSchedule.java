package io.ordinaut.schedule;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Pattern;

import io.ordinaut.Horizon;

/**
 * A single instant. Written with an offset or Z it is absolute; written as a local date-time it is
 * read in the schedule's zone with the DST rule. Fractional seconds are kept to the microsecond (what
 * PostgreSQL stores a run's time with), so the instant shown, compared and fired at is the one given.
 * Past instants are accepted: whether to refuse them is the caller's decision.
 */
final class OnceSchedule extends BoundedSchedule {

    /** A year of five or more digits without the sign ISO-8601 asks for (10000-01-01T00:00:00Z). */
    private static final Pattern FIVE_DIGIT_YEAR = Pattern.compile("\\d{5,}-.*");

    private final Instant at;

    private OnceSchedule(ScheduleDefinition definition, Instant at) {
        super(definition);
        this.at = at;
    }

    static OnceSchedule compile(ScheduleDefinition d) {
        Instant at = parse(d).truncatedTo(ChronoUnit.MICROS);
        if (!Horizon.contains(at)) {
            throw InvalidScheduleException.expression("'" + d.expression() + "' is outside the years 1–9999 a task can run in.");
        }
        return new OnceSchedule(new ScheduleDefinition(d.kind(), at.toString(), d.zone(), d.anchor(),
                d.startAt(), d.endAt()), at);
    }

    private static Instant parse(ScheduleDefinition d) {
        String text = d.expression();
        Instant at = parse(text, d);
        if (at == null && FIVE_DIGIT_YEAR.matcher(text).matches()) {
            // ISO-8601 wants a sign before a year of five digits: read it so the years' message names it
            at = parse("+" + text, d);
        }
        if (at == null) {
            throw InvalidScheduleException.expression("'" + text + "' is not an ISO-8601 date-time; write"
                    + " e.g. 2026-03-08T09:00:00Z, 2026-03-08T09:00:00-05:00, or 2026-03-08T09:00:00 to read"
                    + " it in the task's timezone.");
        }
        return at;
    }

    /** The instant {@code text} names, or null when it names none. */
    private static Instant parse(String text, ScheduleDefinition d) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException notOffset) {
            try {
                return Schedules.resolveLocal(LocalDateTime.parse(text), d.zone()).toInstant();
            } catch (DateTimeException notLocal) { // unparseable, or beyond what the zone's offset can express
                return null;
            }
        }
    }

    @Override
    InstantCursor cursorAfter(Instant after) {
        return at.isAfter(after) ? new InstantCursor() {
            private boolean taken;

            @Override
            public Instant next() {
                if (taken) {
                    return null;
                }
                taken = true;
                return at;
            }
        } : InstantCursor.EMPTY;
    }

    @Override
    Optional<Instant> latestWithin(Instant lo, Instant hi) {
        return at.isBefore(lo) || at.isAfter(hi) ? Optional.empty() : Optional.of(at);
    }

    @Override
    public String sharingKey() {
        return SharingKeys.of(definition, false, null);
    }
}
