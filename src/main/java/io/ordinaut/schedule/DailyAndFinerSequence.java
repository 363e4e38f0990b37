package io.ordinaut.schedule;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * DAILY, HOURLY, MINUTELY and SECONDLY rules, expanded here rather than by lib-recur: lib-recur gives
 * up after a few thousand empty periods or filtered instances, which ordinary sub-daily rules such as
 * FREQ=MINUTELY;BYDAY=MO;BYHOUR=9 hit, and DAILY rules whose dates are more than about twelve years
 * apart (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO: 2044, 2072, 2112 …); and it has to replay every
 * period since DTSTART. This expander follows RFC 5545 directly: periods start at DTSTART + k·INTERVAL
 * units in floating time; a period survives the date filters (BYMONTH, BYYEARDAY, BYMONTHDAY, BYDAY)
 * and the time filters coarser than the frequency (BYHOUR, BYMINUTE, BYSECOND at or above its unit),
 * expands the finer ones (defaulting to DTSTART's hour, minute and second), then BYSETPOS picks within
 * the period. A failing filter jumps straight to the next date, hour, minute or second it lets
 * through, and without COUNT a query restarts at the latest period at or before the requested time.
 *
 * <p>How far to look: whether a period has occurrences depends only on its start modulo the 400-year
 * Gregorian cycle (dates, weekdays and month lengths), so the pattern of periods repeats after
 * lcm(period, cycle). A search that finds nothing for that long finds nothing ever; one that finds
 * something goes on from there, so a rule is followed to the year 9999 however sparse it is. When the
 * period does not divide the cycle the repeat is longer than 400 years (INTERVAL=1000 minutes:
 * 10,000 years), and the search ends at the year 10,000 if that comes first: nothing fires after it.
 *
 * <p>What it costs: each step looks at a later period than the one before, and a failing filter skips
 * every period up to the next date, hour, minute or second the rule lets through. A search thus takes
 * about one step per date the date filters let through (a few more when the time filters then fail),
 * or per period when periods are longer than a day: a rule for Monday 29 February looks at a few dates
 * a year, not at every day. The slowest never-firing rules we could construct — such as
 * FREQ=SECONDLY;INTERVAL=203;BYDAY=MO;BYHOUR=0;BYMINUTE=0;BYSECOND=1, whose 00:00:01 always falls on
 * another weekday, searched to the year 10,000 — take a few tens of milliseconds, once, to be refused.
 *
 * <p>COUNT: a query must know how many occurrences the periods before it used up. It starts from the
 * latest checkpoint of the rule at or before it (see {@link #CHECKPOINTS}); from further back than
 * {@link #COUNT_BY_DAY_FROM} periods, rules with several periods a day count the periods in between a
 * date at a time ({@link #countByDay}): which periods of a day survive the time filters depends only on
 * where the periods fall in it, so a day is counted with a little arithmetic — and a day like one counted
 * before is looked up. Counting from DTSTART (no checkpoint: another node, a restart, a rule dropped from
 * the checkpoints) thus takes a step per date the date filters let through, not per period: a
 * FREQ=SECONDLY rule from a year back takes about 365 steps, not 31 million.
 */
final class DailyAndFinerSequence implements LocalSequence {

    private static final long DAY = 86_400;
    /** 400 Gregorian years: dates, weekdays and month lengths repeat after it. */
    private static final long CYCLE = 146_097 * DAY;
    /**
     * No local time from this one on (10000-01-02T00:00) can fire: offsets are at most 18 hours, and
     * nothing fires after 9999-12-31T23:59:59Z.
     */
    private static final LocalDate END_DATE = LocalDate.of(10_000, 1, 2);
    private static final long END = END_DATE.toEpochDay() * DAY;

    /**
     * Checkpoints of COUNT rules, shared by every expansion of the same rule and DTSTART: schedules are
     * compiled afresh for task reads, previews and per-schedule fires, and without a checkpoint each query
     * would count the rule's occurrences again from DTSTART. Least recently used rules are dropped beyond
     * {@link #CHECKPOINTED_RULES} — which any agent can cause by using more rules — so a rule without one
     * must stay cheap to count: {@link #countByDay}.
     */
    private static final Map<String, ConcurrentSkipListMap<Long, Long>> CHECKPOINTS =
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, ConcurrentSkipListMap<Long, Long>> eldest) {
                    return size() > CHECKPOINTED_RULES;
                }
            };
    private static final int CHECKPOINTED_RULES = 4096;
    /** Checkpoints kept per rule; the earliest go first (queries move forward with time). */
    private static final int CHECKPOINTS_PER_RULE = 32;
    /** A query that visits at least this many periods leaves a checkpoint where it stopped. */
    private static final long CHECKPOINT_STRIDE = 256;
    /** A COUNT query this many periods or more past its checkpoint counts the periods in between by day. */
    private static final long COUNT_BY_DAY_FROM = 1024;
    /** Periods of a day looked at one by one when fewer than this or than the day's blocks ({@link #blocksPerDay}). */
    private static final long FEW_PERIODS = 64;
    /** Distinct kinds of whole days (by where the periods fall in them) whose counts are kept. */
    private static final int DAY_KINDS_KEPT = 1024;

    private final RecurrenceRuleText rule;
    /** COUNT rules only: period index → occurrences (from DTSTART on) in the periods before it. */
    private final ConcurrentSkipListMap<Long, Long> checkpoints;
    /** Periods looked at by this expansion's cursors, and steps counting by day (tests read it to see the cost). */
    final AtomicLong periodsVisited = new AtomicLong();
    private final long start;
    private final long unit;
    private final long period;
    private final long monthMask;
    private final int weekdayMask;
    private final long hourMask;
    private final long minuteMask;
    private final long secondMask;
    /** Offsets within the period's unit (day, hour or minute) to expand to; null for SECONDLY. */
    private final long[] expansion;
    /** lcm(period, CYCLE): the periods' pattern repeats after it (Long.MAX_VALUE: not before the end). */
    private final long repeat;
    /** The unit start of period 0; every period's unit start is this plus a multiple of the period. */
    private final long firstUnitStart;
    /** Occurrences in each period that survives the filters (after BYSETPOS), the first period aside. */
    private final int perPeriod;
    /** SECONDLY with a period under a minute: the seconds of a minute the periods fall on, by the first one. */
    private final long[] secondsHit;
    /**
     * COUNT rules with several periods a day: surviving periods in a whole date the date filters let
     * through, by where the periods fall in it (the day's start minus {@link #firstUnitStart}, modulo the
     * period).
     */
    private final Map<Long, Long> dayCounts;
    /** Hours, or minutes, of a day that the time filters let through: a day costs as many steps counted by block. */
    private final long blocksPerDay;

    DailyAndFinerSequence(RecurrenceRuleText rule, LocalDateTime start) {
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
        // BY parts finer than the frequency expand a period; the others filter it (RFC 5545 §3.3.10).
        RecurrenceRuleText.Frequency freq = rule.freq;
        boolean daily = freq == RecurrenceRuleText.Frequency.DAILY;
        boolean hourly = freq == RecurrenceRuleText.Frequency.HOURLY;
        boolean secondly = freq == RecurrenceRuleText.Frequency.SECONDLY;
        this.hourMask = daily ? 0 : mask(rule.byHour);
        this.minuteMask = daily || hourly ? 0 : mask(rule.byMinute);
        this.secondMask = secondly ? mask(rule.bySecond) : 0;
        int[] hours = daily && rule.byHour != null ? rule.byHour : new int[] {start.getHour()};
        int[] minutes = (daily || hourly) && rule.byMinute != null ? rule.byMinute : new int[] {start.getMinute()};
        int[] seconds = rule.bySecond != null ? rule.bySecond : new int[] {start.getSecond()};
        if (secondly) {
            expansion = null;
        } else {
            // ascending, as BYSETPOS needs: hours, then minutes, then seconds, each list sorted
            int[] expandedHours = daily ? hours : new int[] {0};
            int[] expandedMinutes = daily || hourly ? minutes : new int[] {0};
            expansion = new long[expandedHours.length * expandedMinutes.length * seconds.length];
            int i = 0;
            for (int h : expandedHours) {
                for (int m : expandedMinutes) {
                    for (int s : seconds) {
                        expansion[i++] = h * 3600L + m * 60L + s;
                    }
                }
            }
        }
        long periodsPerRepeat = period / gcd(period, CYCLE);
        this.repeat = periodsPerRepeat > END / CYCLE + 1 ? Long.MAX_VALUE : periodsPerRepeat * CYCLE;
        this.checkpoints = rule.count == null ? null : checkpointsOf(rule.canonical + "@" + start);
        this.firstUnitStart = this.start - Math.floorMod(this.start, unit);
        this.perPeriod = occurrencesOf(0, 0).length;
        if (secondly && period < 60) {
            secondsHit = new long[(int) period];
            for (int first = 0; first < period; first++) {
                for (int second = first; second < 60; second += (int) period) {
                    secondsHit[first] |= 1L << second;
                }
            }
        } else {
            secondsHit = null;
        }
        this.dayCounts = rule.count != null && period < DAY ? new ConcurrentHashMap<>() : null;
        int allowedHours = hourMask == 0 ? 24 : Long.bitCount(hourMask);
        this.blocksPerDay = allowedHours * (minuteMask == 0 && secondMask == 0 ? 1 : minuteMask == 0 ? 60 : Long.bitCount(minuteMask));
    }

    private static ConcurrentSkipListMap<Long, Long> checkpointsOf(String key) {
        synchronized (CHECKPOINTS) {
            return CHECKPOINTS.computeIfAbsent(key, k -> new ConcurrentSkipListMap<>());
        }
    }

    /** Drops every rule's checkpoints, as a restart does (tests). */
    static void forgetCheckpoints() {
        synchronized (CHECKPOINTS) {
            CHECKPOINTS.clear();
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
        return cursor(inclusiveStart, Long.MAX_VALUE);
    }

    /**
     * Whether the occurrences at or after {@code inclusiveStart} are reached by looking at no more than
     * {@code budget} periods, or steps of counting by day (always, without COUNT). Leaves a checkpoint
     * there when they are.
     */
    @Override
    public boolean reachableWithin(LocalDateTime inclusiveStart, long budget) {
        if (rule.count == null) {
            return true;
        }
        Cursor cursor = cursor(inclusiveStart, budget);
        cursor.next();
        return !cursor.overBudget;
    }

    /**
     * Without COUNT a query starts at the latest period at or before the time asked: earlier periods
     * only hold earlier occurrences. With COUNT it starts at the latest checkpoint there (or DTSTART),
     * knowing how many occurrences the periods before it used up; when that is far back, the periods up to
     * the time asked are counted by day and leave a checkpoint there.
     */
    private Cursor cursor(LocalDateTime inclusiveStart, long budget) {
        long from = inclusiveStart.toEpochSecond(ZoneOffset.UTC);
        long latest = from > start ? (from - start) / period : 0;
        if (rule.count == null) {
            return new Cursor(latest, 0, from, budget);
        }
        Map.Entry<Long, Long> checkpoint = checkpoints.floorEntry(latest);
        long k = checkpoint == null ? 0 : checkpoint.getKey();
        long counted = checkpoint == null ? 0 : checkpoint.getValue();
        if (dayCounts == null || latest - k < COUNT_BY_DAY_FROM) {
            return new Cursor(k, counted, from, budget);
        }
        long[] steps = {0};
        try {
            counted = countByDay(k, counted, latest, budget, steps);
        } finally {
            periodsVisited.addAndGet(steps[0]);
        }
        Cursor cursor = new Cursor(latest, Math.max(counted, 0), from, budget - steps[0]);
        if (counted < 0) {
            cursor.overBudget = true;
            cursor.done = true;
        } else {
            checkpoint(latest, counted);
        }
        return cursor;
    }

    /**
     * The occurrences in the periods before {@code target}, given {@code counted} in those before {@code k}
     * (at most COUNT: it is all that matters), counted a date at a time; -1 when that takes more than
     * {@code budget} steps. A step is a date looked at, or an hour or minute of one counted at once.
     */
    private long countByDay(long k, long counted, long target, long budget, long[] steps) {
        if (k == 0) {
            // The first period's occurrences before DTSTART do not count; every later one's are all after it.
            steps[0]++;
            LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(firstUnitStart, DAY));
            if (dateMatches(date) && timeMatches(firstUnitStart)) {
                counted += Arrays.stream(occurrencesOf(firstUnitStart, start)).filter(o -> o >= start).count();
            }
            counted = Math.min(rule.count, counted);
            k = 1;
        }
        long end = firstUnitStart + target * period;
        long t = firstUnitStart + k * period;
        while (t < end && counted < rule.count) {
            if (steps[0]++ >= budget) {
                return -1;
            }
            long day = Math.floorDiv(t, DAY);
            LocalDate date = LocalDate.ofEpochDay(day);
            if (!dateMatches(date)) {
                LocalDate next = nextDate(date);
                t = next == null ? end : Math.max(t, next.toEpochDay() * DAY);
                continue;
            }
            long dayStart = day * DAY;
            long dayEnd = Math.min(dayStart + DAY, end);
            long surviving;
            if (t == dayStart && dayEnd == dayStart + DAY) {
                long kind = Math.floorMod(dayStart - firstUnitStart, period);
                Long known = dayCounts.get(kind);
                if (known == null) {
                    known = survivingIn(dayStart, dayEnd, steps);
                    if (dayCounts.size() < DAY_KINDS_KEPT) {
                        dayCounts.put(kind, known);
                    }
                }
                surviving = known;
            } else {
                surviving = survivingIn(t, dayEnd, steps);
            }
            counted = Math.min(rule.count, counted + surviving * perPeriod);
            t = dayStart + DAY;
        }
        return counted;
    }

    /** The periods whose unit starts lie in [from, to) — within one day — and pass the time filters. */
    private long survivingIn(long from, long to, long[] steps) {
        long periods = periodsIn(from, to);
        if (periods == 0 || (hourMask == 0 && minuteMask == 0 && secondMask == 0)) {
            steps[0]++;
            return periods;
        }
        long surviving = 0;
        if (periods <= Math.max(FEW_PERIODS, blocksPerDay)) {
            steps[0] += periods;
            for (long u = from + Math.floorMod(firstUnitStart - from, period); u < to; u += period) {
                surviving += timeMatches(u) ? 1 : 0;
            }
            return surviving;
        }
        long dayStart = Math.floorDiv(from, DAY) * DAY;
        for (int hour = (int) ((from - dayStart) / 3600); hour <= (to - 1 - dayStart) / 3600; hour++) {
            if (hourMask != 0 && (hourMask & (1L << hour)) == 0) {
                continue;
            }
            long hourStart = dayStart + hour * 3600L;
            long hourFrom = Math.max(from, hourStart);
            long hourTo = Math.min(to, hourStart + 3600);
            if (minuteMask == 0 && secondMask == 0) {
                steps[0]++;
                surviving += periodsIn(hourFrom, hourTo);
                continue;
            }
            for (int minute = (int) ((hourFrom - hourStart) / 60); minute <= (hourTo - 1 - hourStart) / 60; minute++) {
                if (minuteMask != 0 && (minuteMask & (1L << minute)) == 0) {
                    continue;
                }
                steps[0]++;
                long minuteStart = hourStart + minute * 60L;
                long minuteFrom = Math.max(hourFrom, minuteStart);
                long minuteTo = Math.min(hourTo, minuteStart + 60);
                surviving += secondMask == 0 ? periodsIn(minuteFrom, minuteTo) : secondsIn(minuteStart, minuteFrom, minuteTo);
            }
        }
        return surviving;
    }

    /** SECONDLY: the periods in [from, to), within the minute starting at {@code minuteStart}, on seconds BYSECOND lists. */
    private long secondsIn(long minuteStart, long from, long to) {
        long range = (-1L << (from - minuteStart)) & ~(-1L << (to - minuteStart));
        if (secondsHit != null) {
            return Long.bitCount(secondMask & range & secondsHit[(int) Math.floorMod(firstUnitStart - minuteStart, period)]);
        }
        long first = from + Math.floorMod(firstUnitStart - from, period); // at most one period in a minute
        return first < to && (secondMask & range & (1L << (first - minuteStart))) != 0 ? 1 : 0;
    }

    /** How many unit starts of periods lie in [from, to). */
    private long periodsIn(long from, long to) {
        return Math.floorDiv(to - 1 - firstUnitStart, period) - Math.floorDiv(from - 1 - firstUnitStart, period);
    }

    /** Whether a period starting its unit at {@code unitStart} passes the time filters (BYHOUR, BYMINUTE, BYSECOND). */
    private boolean timeMatches(long unitStart) {
        int secondOfDay = (int) Math.floorMod(unitStart, DAY);
        return (hourMask == 0 || (hourMask & (1L << (secondOfDay / 3600))) != 0)
                && (minuteMask == 0 || (minuteMask & (1L << (secondOfDay / 60 % 60))) != 0)
                && (secondMask == 0 || (secondMask & (1L << (secondOfDay % 60))) != 0);
    }

    /** The occurrences of a period that passes the filters: its expansion, then BYSETPOS. */
    private long[] occurrencesOf(long unitStart, long periodStart) {
        long[] candidates;
        if (expansion == null) {
            candidates = new long[] {periodStart};
        } else {
            candidates = new long[expansion.length];
            for (int i = 0; i < expansion.length; i++) {
                candidates[i] = unitStart + expansion[i];
            }
        }
        return rule.bySetPos == null ? candidates : setPositions(candidates, rule.bySetPos);
    }

    private void checkpoint(long k, long counted) {
        checkpoints.put(k, counted);
        while (checkpoints.size() > CHECKPOINTS_PER_RULE) {
            checkpoints.pollFirstEntry();
        }
    }

    private final class Cursor implements LocalCursor {
        private long k;
        private final long from;
        private long horizon;
        private long[] buffer = new long[0];
        private int index;
        private long counted;
        private boolean done;
        /** The date filters' verdict on the last day looked at (periods often share a day). */
        private long checkedDay = Long.MIN_VALUE;
        private LocalDate checkedDate;
        private boolean dayMatches;
        /** The period the buffer came from, and the occurrences counted before it. */
        private long bufferPeriod;
        private long countedBeforeBuffer;
        private final long budget;
        private long visited;
        private boolean checkpointed;
        boolean overBudget;

        Cursor(long k, long counted, long from, long budget) {
            this.k = k;
            this.counted = counted;
            this.from = from;
            this.budget = budget;
            this.horizon = horizonAfter(Math.max(from, start));
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
                        if (checkpoints != null && !checkpointed && visited >= CHECKPOINT_STRIDE) {
                            checkpointed = true; // where a costly walk got to: the next query starts here
                            checkpoint(bufferPeriod, countedBeforeBuffer);
                        }
                        return LocalDateTime.ofEpochSecond(t, 0, ZoneOffset.UTC);
                    }
                }
                fill();
            }
            return null;
        }

        /** Loads the next surviving period's occurrences into the buffer. */
        private void fill() {
            long before = visited;
            try {
                fillCounting();
            } finally {
                periodsVisited.addAndGet(visited - before);
            }
        }

        private void fillCounting() {
            while (true) {
                if (visited++ >= budget) {
                    overBudget = true;
                    done = true;
                    return;
                }
                long p = start + k * period;
                if (p > horizon || p >= END) {
                    done = true;
                    return;
                }
                long unitStart = p - Math.floorMod(p, unit);
                long day = Math.floorDiv(unitStart, DAY);
                if (day != checkedDay) {
                    checkedDay = day;
                    checkedDate = LocalDate.ofEpochDay(day);
                    dayMatches = dateMatches(checkedDate);
                }
                if (!dayMatches) {
                    skipTo(afterDay());
                    continue;
                }
                long dayStart = day * DAY;
                int secondOfDay = (int) (unitStart - dayStart);
                int hour = secondOfDay / 3600;
                int minute = secondOfDay / 60 % 60;
                int second = secondOfDay % 60;
                if (hourMask != 0 && (hourMask & (1L << hour)) == 0) {
                    skipTo(afterHour(dayStart, hour));
                    continue;
                }
                long hourStart = dayStart + hour * 3600L;
                if (minuteMask != 0 && (minuteMask & (1L << minute)) == 0) {
                    skipTo(afterMinute(dayStart, hour, minute));
                    continue;
                }
                if (secondMask != 0 && (secondMask & (1L << second)) == 0) {
                    int next = nextAllowed(secondMask, second, 60);
                    skipTo(next < 0 ? afterMinute(dayStart, hour, minute) : hourStart + minute * 60L + next);
                    continue;
                }
                bufferPeriod = k;
                countedBeforeBuffer = counted;
                k++;
                buffer = occurrencesOf(unitStart, p);
                index = 0;
                if (buffer.length > 0) {
                    horizon = Math.max(horizon, horizonAfter(p));
                }
                return;
            }
        }

        /** The start of the next date the date filters let through (END when there is none). */
        private long afterDay() {
            LocalDate next = nextDate(checkedDate);
            return next == null ? END : next.toEpochDay() * DAY;
        }

        /** The start of the next hour the rule allows after {@code hour} of this day, or of the next date. */
        private long afterHour(long dayStart, int hour) {
            int next = nextAllowed(hourMask, hour, 24);
            return next < 0 ? afterDay() : dayStart + next * 3600L;
        }

        /** The start of the next minute the rule allows after {@code hour:minute} of this day, or later. */
        private long afterMinute(long dayStart, int hour, int minute) {
            int next = nextAllowed(minuteMask, minute, 60);
            return next < 0 ? afterHour(dayStart, hour) : dayStart + hour * 3600L + next * 60L;
        }

        /** Moves to the first period starting at or after {@code boundary}. */
        private void skipTo(long boundary) {
            k = Math.max(k + 1, Math.floorDiv(boundary - start + period - 1, period));
        }
    }

    /** The last period start worth examining when nothing fires after {@code t}: one repeat on, or the end. */
    private long horizonAfter(long t) {
        return repeat >= END - t ? END : t + repeat;
    }

    /** The smallest set bit of {@code mask} above {@code bit}, or -1. */
    private static int nextBit(long mask, int bit) {
        long higher = mask & (-1L << bit << 1);
        return higher == 0 ? -1 : Long.numberOfTrailingZeros(higher);
    }

    /** The next value after {@code value} below {@code limit} that {@code mask} allows (0: any), or -1. */
    private static int nextAllowed(long mask, int value, int limit) {
        if (mask == 0) {
            return value + 1 < limit ? value + 1 : -1;
        }
        return nextBit(mask, value);
    }

    /**
     * The first date after {@code date} that the date filters let through, or null when there is none
     * before {@link #END_DATE}. Each step moves to the next month, day of the month, day of the year or
     * weekday the rule lists, so a year costs a few steps, not a step per day.
     */
    private LocalDate nextDate(LocalDate date) {
        LocalDate d = date.plusDays(1);
        while (d.isBefore(END_DATE)) {
            if (monthMask != 0 && (monthMask & (1L << d.getMonthValue())) == 0) {
                int month = nextBit(monthMask, d.getMonthValue());
                d = month < 0 ? LocalDate.of(d.getYear() + 1, Long.numberOfTrailingZeros(monthMask), 1)
                        : LocalDate.of(d.getYear(), month, 1);
            } else if (rule.byMonthDay != null
                    && !matchesCounted(rule.byMonthDay, d.getDayOfMonth(), d.lengthOfMonth())) {
                int day = nextCounted(rule.byMonthDay, d.getDayOfMonth(), d.lengthOfMonth());
                d = day < 0 ? d.withDayOfMonth(1).plusMonths(1) : d.withDayOfMonth(day);
            } else if (rule.byYearDay != null
                    && !matchesCounted(rule.byYearDay, d.getDayOfYear(), d.lengthOfYear())) {
                int day = nextCounted(rule.byYearDay, d.getDayOfYear(), d.lengthOfYear());
                d = day < 0 ? LocalDate.of(d.getYear() + 1, 1, 1) : d.withDayOfYear(day);
            } else if (weekdayMask != 0 && (weekdayMask & (1 << d.getDayOfWeek().getValue())) == 0) {
                int weekday = d.getDayOfWeek().getValue();
                int next = nextBit(weekdayMask, weekday);
                d = d.plusDays(next < 0 ? 7 - weekday + Integer.numberOfTrailingZeros(weekdayMask) : next - weekday);
            } else {
                return d;
            }
        }
        return null;
    }

    /** The smallest listed value above {@code value} (negative entries counting back from {@code length}), or -1. */
    private static int nextCounted(int[] wanted, int value, int length) {
        int best = -1;
        for (int w : wanted) {
            int v = w > 0 ? w : length + 1 + w;
            if (v > value && v <= length && v >= 1 && (best < 0 || v < best)) {
                best = v;
            }
        }
        return best;
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
