package io.ordinaut.schedule;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;

/**
 * HOURLY, MINUTELY and SECONDLY rules, expanded here rather than by lib-recur: lib-recur gives up
 * after about a thousand empty periods, which ordinary rules such as FREQ=MINUTELY;BYDAY=MO;BYHOUR=9
 * hit, and it has to replay every period since DTSTART. This expander follows RFC 5545 directly:
 * periods start at DTSTART + k·INTERVAL units in floating time; a period survives the date filters
 * (BYMONTH, BYYEARDAY, BYMONTHDAY, BYDAY) and the coarser time filters (BYHOUR, BYMINUTE, BYSECOND
 * at or above the frequency's unit), expands the finer ones (defaulting to DTSTART's minute/second),
 * then BYSETPOS picks within the period. A failing filter jumps straight to the next day, hour or
 * minute, and without COUNT a query restarts at the latest period at or before the requested time.
 */
final class SubDailySequence implements LocalSequence {

    private static final long DAY = 86_400;
    /**
     * The Gregorian calendar repeats every 400 years: a search that finds no occurrence for this long
     * finds none at all. It counts from the last occurrence found, so a rule that keeps firing is
     * followed to the end of time (the year 9999, where {@link BoundedSchedule} stops every schedule).
     */
    private static final long HORIZON = 401L * 366 * DAY;
    /** Periods examined without an occurrence before a query gives up (pathological rules only). */
    private static final int MAX_EMPTY_PERIODS = 1_000_000;

    private final RecurrenceRuleText rule;
    private final long start;
    private final long unit;
    private final long period;
    private final long monthMask;
    private final int weekdayMask;
    private final long hourMask;
    private final long minuteMask;
    private final long secondMask;
    /** Offsets within the period's unit (hour or minute) to expand to; null for SECONDLY. */
    private final long[] expansion;

    SubDailySequence(RecurrenceRuleText rule, LocalDateTime start) {
        this.rule = rule;
        this.start = start.toEpochSecond(ZoneOffset.UTC);
        this.unit = rule.freq.seconds;
        this.period = rule.interval * unit;
        this.monthMask = mask(rule.byMonth);
        int weekdays = 0;
        if (rule.byDay != null) {
            for (int[] day : rule.byDay) {
                weekdays |= 1 << day[0];
            }
        }
        this.weekdayMask = weekdays;
        this.hourMask = mask(rule.byHour);
        boolean hourly = rule.freq == RecurrenceRuleText.Frequency.HOURLY;
        boolean secondly = rule.freq == RecurrenceRuleText.Frequency.SECONDLY;
        this.minuteMask = hourly ? 0 : mask(rule.byMinute);
        this.secondMask = secondly ? mask(rule.bySecond) : 0;
        int[] seconds = rule.bySecond != null ? rule.bySecond : new int[] {start.getSecond()};
        if (hourly) {
            int[] minutes = rule.byMinute != null ? rule.byMinute : new int[] {start.getMinute()};
            expansion = new long[minutes.length * seconds.length];
            int i = 0;
            for (int m : minutes) {
                for (int s : seconds) {
                    expansion[i++] = m * 60L + s;
                }
            }
        } else if (!secondly) {
            expansion = Arrays.stream(seconds).asLongStream().toArray();
        } else {
            expansion = null;
        }
    }

    /**
     * Whether some period can pass the time-of-day filters and keep an occurrence after BYSETPOS.
     * Period starts repeat their time of day every 86400 / gcd(period, 86400) steps, so this is a
     * bounded check that rejects rules such as FREQ=SECONDLY;INTERVAL=60;BYSECOND=30 at once.
     */
    boolean canFire() {
        if (rule.bySetPos != null) {
            int size = expansion == null ? 1 : expansion.length;
            if (Arrays.stream(rule.bySetPos).allMatch(pos -> Math.abs(pos) > size)) {
                return false;
            }
        }
        long cycle = DAY / gcd(period % DAY == 0 ? DAY : period % DAY, DAY);
        long timeOfDay = Math.floorMod(start, DAY);
        for (long i = 0; i < cycle; i++) {
            long unitStart = timeOfDay - timeOfDay % unit;
            int hour = (int) (unitStart / 3600);
            int minute = (int) (unitStart % 3600 / 60);
            int second = (int) (unitStart % 60);
            if ((hourMask == 0 || (hourMask & (1L << hour)) != 0)
                    && (minuteMask == 0 || (minuteMask & (1L << minute)) != 0)
                    && (secondMask == 0 || (secondMask & (1L << second)) != 0)) {
                return true;
            }
            timeOfDay = (timeOfDay + period) % DAY;
        }
        return false;
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    @Override
    public LocalCursor from(LocalDateTime inclusiveStart) {
        long from = inclusiveStart.toEpochSecond(ZoneOffset.UTC);
        long firstPeriod = rule.count == null && from > start ? (from - start) / period : 0;
        return new Cursor(firstPeriod, from);
    }

    private final class Cursor implements LocalCursor {
        private long k;
        private final long from;
        private long horizon;
        private long[] buffer = new long[0];
        private int index;
        private long counted;
        private boolean done;

        Cursor(long k, long from) {
            this.k = k;
            this.from = from;
            this.horizon = Math.max(from, start) + HORIZON;
        }

        @Override
        public LocalDateTime next() {
            while (!done) {
                while (index < buffer.length) {
                    long t = buffer[index++];
                    if (t < start) {
                        continue;
                    }
                    if (rule.count != null && counted++ >= rule.count) {
                        done = true;
                        return null;
                    }
                    if (t >= from) {
                        return LocalDateTime.ofEpochSecond(t, 0, ZoneOffset.UTC);
                    }
                }
                fill();
            }
            return null;
        }

        /** Loads the next surviving period's occurrences into the buffer. */
        private void fill() {
            for (int examined = 0; ; examined++) {
                long p = start + k * period;
                if (p > horizon || examined > MAX_EMPTY_PERIODS) {
                    done = true;
                    return;
                }
                long unitStart = p - Math.floorMod(p, unit);
                LocalDateTime at = LocalDateTime.ofEpochSecond(unitStart, 0, ZoneOffset.UTC);
                if (!dateMatches(at.toLocalDate())) {
                    skipTo(unitStart - Math.floorMod(unitStart, DAY) + DAY);
                    continue;
                }
                if (hourMask != 0 && (hourMask & (1L << at.getHour())) == 0) {
                    skipTo(unitStart - Math.floorMod(unitStart, 3600) + 3600);
                    continue;
                }
                if (minuteMask != 0 && (minuteMask & (1L << at.getMinute())) == 0) {
                    skipTo(unitStart - Math.floorMod(unitStart, 60) + 60);
                    continue;
                }
                if (secondMask != 0 && (secondMask & (1L << at.getSecond())) == 0) {
                    skipTo(unitStart + 1);
                    continue;
                }
                long[] candidates;
                if (expansion == null) {
                    candidates = new long[] {p};
                } else {
                    candidates = new long[expansion.length];
                    for (int i = 0; i < expansion.length; i++) {
                        candidates[i] = unitStart + expansion[i];
                    }
                }
                k++;
                buffer = rule.bySetPos == null ? candidates : setPositions(candidates, rule.bySetPos);
                index = 0;
                if (buffer.length > 0) {
                    horizon = Math.max(horizon, p + HORIZON);
                }
                return;
            }
        }

        /** Moves to the first period starting at or after {@code boundary}. */
        private void skipTo(long boundary) {
            k = Math.max(k + 1, Math.floorDiv(boundary - start + period - 1, period));
        }
    }

    private boolean dateMatches(LocalDate date) {
        if (monthMask != 0 && (monthMask & (1L << date.getMonthValue())) == 0) {
            return false;
        }
        if (weekdayMask != 0 && (weekdayMask & (1 << date.getDayOfWeek().getValue())) == 0) {
            return false;
        }
        if (rule.byMonthDay != null && !matchesCounted(rule.byMonthDay, date.getDayOfMonth(), date.lengthOfMonth())) {
            return false;
        }
        return rule.byYearDay == null || matchesCounted(rule.byYearDay, date.getDayOfYear(), date.lengthOfYear());
    }

    /** Whether {@code value} is listed, negative entries counting back from {@code length}. */
    private static boolean matchesCounted(int[] wanted, int value, int length) {
        for (int w : wanted) {
            if (w == value || length + 1 + w == value) {
                return true;
            }
        }
        return false;
    }

    /** BYSETPOS: 1-based positions in the sorted period set, negative from its end. */
    static long[] setPositions(long[] sorted, int[] positions) {
        long[] picked = new long[positions.length];
        int n = 0;
        for (int position : positions) {
            int i = position > 0 ? position - 1 : sorted.length + position;
            if (i >= 0 && i < sorted.length) {
                picked[n++] = sorted[i];
            }
        }
        return Arrays.stream(picked, 0, n).sorted().distinct().toArray();
    }

    private static long mask(int[] values) {
        long mask = 0;
        if (values != null) {
            for (int v : values) {
                mask |= 1L << v;
            }
        }
        return mask;
    }
}
