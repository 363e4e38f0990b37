package io.ordinaut.schedule;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

import org.dmfs.rfc5545.DateTime;
import org.dmfs.rfc5545.recur.RecurrenceRuleIterator;

/**
 * WEEKLY, MONTHLY and YEARLY rules (DAILY and finer ones: {@link DailyAndFinerSequence}), expanded by
 * lib-recur in floating time (never its time-zone mode, which resolves DST overlaps to the later
 * instant). WEEKLY rules without COUNT restart from the latest period boundary before the requested
 * time (start + k·period): their BY parts depend only on the local date-time, so the occurrence set
 * from there on is unchanged and old occurrences need not be replayed. Occurrences outside the weeks
 * BYWEEKNO lists are dropped ({@link RecurrenceRuleText#inListedWeek}).
 */
final class LibRecurSequence implements LocalSequence {

    /** Occurrences are filtered (BYWEEKNO) no further than this year: none after it can fire. */
    private static final int LAST_YEAR = 10_000;
    /**
     * lib-recur's fastForward reads a target before 0001-01-01T00:00 (local times of the year 0, west of
     * UTC) as a year later: FREQ=WEEKLY from 0000-12-31 fast-forwarded to 0000-12-31T19:03 went on at
     * 0002-01-06. Such targets are reached by skipping instead (occurrences of the year 0 at most).
     */
    private static final long FIRST_FAST_FORWARD_SECOND = LocalDateTime.of(1, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);

    private final RecurrenceRuleText rule;
    private final LocalDateTime start;
    /** Restart lattice step in seconds, or 0 when the rule must be replayed from its start. */
    private final long restartPeriod;

    LibRecurSequence(RecurrenceRuleText rule, LocalDateTime start) {
        this.rule = rule;
        this.start = start;
        boolean fixedPeriod = rule.freq == RecurrenceRuleText.Frequency.WEEKLY;
        this.restartPeriod = rule.count == null && fixedPeriod ? rule.interval * rule.freq.seconds : 0;
    }

    /**
     * With COUNT lib-recur counts every instance from DTSTART on, fast-forwarding or not: bounds the
     * instances it would go through to reach {@code inclusiveStart}.
     */
    @Override
    public boolean reachableWithin(LocalDateTime inclusiveStart, long budget) {
        if (rule.count == null) {
            return true;
        }
        RecurrenceRuleIterator iterator = rule.withoutUntil.iterator(new DateTime(start.getYear(),
                start.getMonthValue() - 1, start.getDayOfMonth(), start.getHour(), start.getMinute(), start.getSecond()));
        long target = inclusiveStart.toEpochSecond(ZoneOffset.UTC) * 1000;
        try {
            for (long i = 0; iterator.hasNext(); i++) {
                if (i >= budget) {
                    return false;
                }
                if (iterator.nextMillis() >= target) {
                    return true;
                }
            }
        } catch (RuntimeException e) {
            return true; // lib-recur gave up: the rule ends there (see next())
        }
        return true;
    }

    @Override
    public LocalCursor from(LocalDateTime inclusiveStart) {
        LocalDateTime origin = start;
        long target = inclusiveStart.toEpochSecond(ZoneOffset.UTC);
        long startSecond = start.toEpochSecond(ZoneOffset.UTC);
        if (restartPeriod > 0 && target > startSecond) {
            origin = start.plusSeconds((target - startSecond) / restartPeriod * restartPeriod);
        }
        DateTime floatingOrigin = new DateTime(origin.getYear(), origin.getMonthValue() - 1, origin.getDayOfMonth(),
                origin.getHour(), origin.getMinute(), origin.getSecond());
        boolean fastForward = inclusiveStart.isAfter(origin) && target >= FIRST_FAST_FORWARD_SECOND;
        boolean skipEarlier = inclusiveStart.isAfter(origin) && !fastForward;
        return new LocalCursor() {
            private RecurrenceRuleIterator iterator;
            private boolean done;

            @Override
            public LocalDateTime next() {
                if (done) {
                    return null;
                }
                try {
                    if (iterator == null) {
                        iterator = rule.withoutUntil.iterator(floatingOrigin);
                        if (fastForward) {
                            iterator.fastForward(target * 1000);
                        }
                    }
                    while (iterator.hasNext()) {
                        // Floating DateTimes carry their wall-clock fields as if they were UTC.
                        long millis = iterator.nextMillis();
                        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(millis, 1000), 0, ZoneOffset.UTC);
                        if (skipEarlier && t.isBefore(inclusiveStart)) {
                            continue;
                        }
                        if (rule.inListedWeek(t.toLocalDate())) {
                            return t;
                        }
                        if (t.getYear() > LAST_YEAR) {
                            break; // nothing past the horizon counts: stop filtering there
                        }
                    }
                    done = true;
                    return null;
                } catch (RuntimeException e) {
                    // lib-recur gives up after too many empty periods (IllegalArgumentException "too many
                    // filtered recurrence instances", or IllegalStateException "too many empty recurrence sets"
                    // from its BYSETPOS filter): treat it, and anything else it throws while iterating, as
                    // the end of the rule. A rule that ends before its first occurrence is refused when it
                    // is compiled (RecurrenceSchedule), so this can only cut a rule short, never fail a query.
                    done = true;
                    return null;
                }
            }
        };
    }
}
