package io.ordinaut.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.ordinaut.Horizon;

/**
 * Implements the {@link Schedule} queries on top of one primitive, {@link #cursorAfter}, and applies
 * the definition's startAt/endAt bounds (both inclusive) in one place for every kind.
 */
abstract class BoundedSchedule implements Schedule {

    /** First look-back window of the generic {@link #latestBetween}; it grows eightfold per miss. */
    private static final long FIRST_WINDOW_SECONDS = 120;

    final ScheduleDefinition definition;

    BoundedSchedule(ScheduleDefinition definition) {
        this.definition = definition;
    }

    /** Unbounded fire instants strictly after {@code after}, ascending and distinct. */
    abstract InstantCursor cursorAfter(Instant after);

    @Override
    public ScheduleDefinition definition() {
        return definition;
    }

    @Override
    public Optional<Instant> nextAfter(Instant after) {
        List<Instant> one = occurrencesAfter(after, 1);
        return one.isEmpty() ? Optional.empty() : Optional.of(one.get(0));
    }

    @Override
    public List<Instant> occurrencesAfter(Instant after, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        List<Instant> result = new ArrayList<>(Math.min(count, 1024));
        if (count == 0) {
            return result;
        }
        Instant start = definition.startAt();
        Instant from = start != null && after.isBefore(start) ? start.minusNanos(1) : after;
        InstantCursor cursor = cursorAfter(from);
        for (Instant t = cursor.next(); t != null && withinEnd(t); t = cursor.next()) {
            result.add(t);
            if (result.size() == count) {
                break;
            }
        }
        return result;
    }

    @Override
    public Optional<Instant> latestBetween(Instant fromInclusive, Instant toInclusive) {
        Instant lo = definition.startAt() != null && definition.startAt().isAfter(fromInclusive)
                ? definition.startAt() : fromInclusive;
        Instant hi = definition.endAt() != null && definition.endAt().isBefore(toInclusive)
                ? definition.endAt() : toInclusive;
        if (lo.isAfter(hi)) {
            return Optional.empty();
        }
        return latestWithin(lo, hi);
    }

    /**
     * Scans windows backwards from {@code hi}, so catch-up after a long outage costs about as much
     * as the occurrences near its end, not all occurrences since {@code lo}.
     */
    Optional<Instant> latestWithin(Instant lo, Instant hi) {
        long window = FIRST_WINDOW_SECONDS;
        Instant windowEnd = hi;
        while (true) {
            Instant windowStart = Duration.between(lo, windowEnd).getSeconds() <= window
                    ? lo : windowEnd.minusSeconds(window);
            InstantCursor cursor = cursorAfter(windowStart.minusNanos(1));
            Instant last = null;
            for (Instant t = cursor.next(); t != null && !t.isAfter(windowEnd); t = cursor.next()) {
                last = t;
            }
            if (last != null) {
                return Optional.of(last);
            }
            if (windowStart.equals(lo)) {
                return Optional.empty();
            }
            windowEnd = windowStart.minusNanos(1);
            window = window > Long.MAX_VALUE / 16 ? window : window * 8;
        }
    }

    /** Within endAt, and within the horizon: an occurrence after 9999 is none (it could not be stored). */
    private boolean withinEnd(Instant t) {
        return (definition.endAt() == null || !t.isAfter(definition.endAt())) && !t.isAfter(Horizon.LATEST);
    }

    @Override
    public String toString() {
        return definition.kind().wireName() + " '" + definition.expression() + "' in " + definition.zone();
    }
}
