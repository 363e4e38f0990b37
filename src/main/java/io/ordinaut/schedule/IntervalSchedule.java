package io.ordinaut.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every fixed duration: base + k·period for k >= 0, where base is startAt if set, else the anchor
 * truncated to the second. Periods are exact seconds, so DST does not stretch or shrink them.
 */
final class IntervalSchedule extends BoundedSchedule {

    private static final Pattern DURATION = Pattern.compile(
            "P(?:(\\d+)Y)?(?:(\\d+)M)?(?:(\\d+)W)?(?:(\\d+)D)?(?:T(?:(\\d+)H)?(?:(\\d+)M)?(?:(\\d+)(\\.\\d+)?S)?)?");
    /** Keeps base + k·period well inside Instant's range. */
    private static final long MAX_SECONDS = 100L * 366 * 86_400;

    private final Instant base;
    private final long period;

    private IntervalSchedule(ScheduleDefinition definition, Instant base, long period) {
        super(definition);
        this.base = base;
        this.period = period;
    }

    static IntervalSchedule compile(ScheduleDefinition d) {
        long seconds = parseSeconds(d.expression());
        Instant base = d.startAt() != null ? d.startAt() : d.anchor().truncatedTo(ChronoUnit.SECONDS);
        return new IntervalSchedule(new ScheduleDefinition(d.kind(), format(seconds), d.zone(), d.anchor(),
                d.startAt(), d.endAt()), base, seconds);
    }

    /** ISO-8601 duration in whole seconds; weeks are 7 days, days 24 hours; months and years refused. */
    static long parseSeconds(String text) {
        String upper = text.toUpperCase(Locale.ROOT);
        Matcher m = DURATION.matcher(upper);
        if (!m.matches() || upper.equals("P") || upper.endsWith("T")) {
            throw InvalidScheduleException.expression("'" + text + "' is not an ISO-8601 duration; write e.g."
                    + " PT30S, PT5M, PT1H30M, P1D or P1W.");
        }
        if (m.group(1) != null || m.group(2) != null) {
            throw InvalidScheduleException.expression("'" + text + "' uses months or years, which have no fixed"
                    + " length; use an rrule schedule such as FREQ=MONTHLY instead.");
        }
        if (m.group(8) != null) {
            throw InvalidScheduleException.expression("'" + text + "' has a fractional second; intervals are"
                    + " whole seconds.");
        }
        long seconds;
        try {
            seconds = Math.addExact(Math.addExact(
                    Math.multiplyExact(number(m.group(3)), 7 * 86_400L) + Math.multiplyExact(number(m.group(4)), 86_400L),
                    Math.multiplyExact(number(m.group(5)), 3_600L) + Math.multiplyExact(number(m.group(6)), 60L)),
                    number(m.group(7)));
        } catch (ArithmeticException | NumberFormatException e) {
            seconds = Long.MAX_VALUE;
        }
        if (seconds < 1) {
            throw InvalidScheduleException.expression("The interval '" + text + "' must be at least 1 second.");
        }
        if (seconds > MAX_SECONDS) {
            throw InvalidScheduleException.expression("The interval '" + text + "' is longer than 100 years.");
        }
        return seconds;
    }

    private static long number(String digits) {
        return digits == null ? 0 : Long.parseLong(digits);
    }

    /** Canonical form: days, hours, minutes, seconds, zero parts left out (P7D, PT1H30M, P2DT3H). */
    static String format(long seconds) {
        long days = seconds / 86_400;
        long rest = seconds % 86_400;
        StringBuilder out = new StringBuilder("P");
        if (days > 0) {
            out.append(days).append('D');
        }
        if (rest > 0) {
            out.append('T');
            if (rest >= 3_600) {
                out.append(rest / 3_600).append('H');
            }
            if (rest % 3_600 >= 60) {
                out.append(rest % 3_600 / 60).append('M');
            }
            if (rest % 60 > 0) {
                out.append(rest % 60).append('S');
            }
        }
        return out.toString();
    }

    @Override
    InstantCursor cursorAfter(Instant after) {
        long k = after.isBefore(base) ? 0 : Duration.between(base, after).getSeconds() / period + 1;
        return new InstantCursor() {
            private long next = k;

            @Override
            public Instant next() {
                return base.plusSeconds(Math.multiplyExact(next++, period));
            }
        };
    }

    @Override
    Optional<Instant> latestWithin(Instant lo, Instant hi) {
        if (hi.isBefore(base)) {
            return Optional.empty();
        }
        Instant t = base.plusSeconds(Duration.between(base, hi).getSeconds() / period * period);
        return t.isBefore(lo) ? Optional.empty() : Optional.of(t);
    }

    @Override
    public String sharingKey() {
        return SharingKeys.of(definition, false, "base=" + base);
    }
}
