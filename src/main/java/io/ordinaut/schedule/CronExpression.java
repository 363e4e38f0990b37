package io.ordinaut.schedule;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;

/**
 * A classic 5-field (Vixie) cron expression, matched in floating wall-clock time. When both
 * day-of-month and day-of-week are restricted (neither written starting with "*"), a day matches if
 * either does; otherwise both must.
 */
final class CronExpression implements LocalSequence {

    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");

    /** Searching further than this finds nothing new: the Gregorian calendar repeats every 400 years. */
    private static final int HORIZON_YEARS = 401;

    private final long minutes;
    private final long hours;
    private final long daysOfMonth;
    private final long months;
    private final long daysOfWeek;
    /** Vixie rule: AND when either day field starts with "*", else OR. */
    private final boolean dayFieldsAnded;
    private final String normalised;

    private CronExpression(long minutes, long hours, long daysOfMonth, long months, long daysOfWeek,
                           boolean domStar, boolean dowStar) {
        this.minutes = minutes;
        this.hours = hours;
        this.daysOfMonth = daysOfMonth;
        this.months = months;
        this.daysOfWeek = daysOfWeek;
        this.dayFieldsAnded = domStar || dowStar;
        this.normalised = CronField.MINUTE.format(minutes, true) + " " + CronField.HOUR.format(hours, true)
                + " " + formatDays(domStar, dowStar) + " " + CronField.MONTH.format(months, true)
                + " " + formatDaysOfWeek(domStar, dowStar);
    }

    static CronExpression parse(String expression) {
        String text = expression.trim();
        if (text.startsWith("@")) {
            String macro = MACROS.get(text.toLowerCase(Locale.ROOT));
            if (macro == null) {
                throw InvalidScheduleException.expression("'" + text + "' is not a supported cron macro; use"
                        + " @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly.");
            }
            text = macro;
        }
        String[] fields = text.split("\\s+");
        if (fields.length != 5) {
            String hint = fields.length == 6 || fields.length == 7
                    ? " Seconds and year fields (Quartz/Spring syntax) are not supported." : "";
            throw InvalidScheduleException.expression("A cron expression has 5 fields (minute hour"
                    + " day-of-month month day-of-week), but '" + text + "' has " + fields.length + "." + hint);
        }
        CronExpression cron = new CronExpression(
                CronField.MINUTE.parse(fields[0]),
                CronField.HOUR.parse(fields[1]),
                CronField.DAY_OF_MONTH.parse(fields[2]),
                CronField.MONTH.parse(fields[3]),
                CronField.DAY_OF_WEEK.parse(fields[4]),
                fields[2].startsWith("*"),
                fields[4].startsWith("*"));
        cron.requireSomeDayExists();
        return cron;
    }

    String normalised() {
        return normalised;
    }

    /** Day-of-month text; the star marker is kept only where it changes the day rule. */
    private String formatDays(boolean domStar, boolean dowStar) {
        CronField dom = CronField.DAY_OF_MONTH;
        CronField dow = CronField.DAY_OF_WEEK;
        boolean domFull = daysOfMonth == dom.fullMask();
        boolean dowFull = daysOfWeek == dow.fullMask();
        if (!(domStar || dowStar)) {
            return domFull || dowFull ? "*" : dom.format(daysOfMonth, false);
        }
        if (domFull) {
            return "*";
        }
        if (dowFull) {
            return dom.format(daysOfMonth, false);
        }
        // Both restricted and ANDed: a starred field always holds its minimum; star day-of-month if it can.
        return (daysOfMonth & (1L << dom.min)) != 0 ? dom.formatStarred(daysOfMonth) : dom.format(daysOfMonth, false);
    }

    private String formatDaysOfWeek(boolean domStar, boolean dowStar) {
        CronField dom = CronField.DAY_OF_MONTH;
        CronField dow = CronField.DAY_OF_WEEK;
        boolean domFull = daysOfMonth == dom.fullMask();
        boolean dowFull = daysOfWeek == dow.fullMask();
        if (!(domStar || dowStar)) {
            return domFull || dowFull ? "*" : dow.format(daysOfWeek, false);
        }
        if (dowFull) {
            return "*";
        }
        if (domFull) {
            return dow.format(daysOfWeek, false);
        }
        return (daysOfMonth & (1L << dom.min)) != 0 ? dow.format(daysOfWeek, false) : dow.formatStarred(daysOfWeek);
    }

    /** Rejects expressions such as "0 0 30 2 *" that can never fire. */
    private void requireSomeDayExists() {
        if (!dayFieldsAnded) {
            return; // some weekday falls in every month
        }
        for (Month month : Month.values()) {
            if ((months & (1L << month.getValue())) != 0
                    && Long.numberOfTrailingZeros(daysOfMonth) <= month.maxLength()) {
                return;
            }
        }
        throw InvalidScheduleException.expression("The cron expression never fires: none of the chosen"
                + " days of the month exists in the chosen months.");
    }

    @Override
    public LocalCursor from(LocalDateTime inclusiveStart) {
        LocalDateTime first = inclusiveStart.getSecond() == 0 && inclusiveStart.getNano() == 0
                ? inclusiveStart : inclusiveStart.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        return new LocalCursor() {
            private LocalDateTime cursor = first;

            @Override
            public LocalDateTime next() {
                if (cursor == null) {
                    return null;
                }
                LocalDateTime match = nextMatch(cursor);
                cursor = match == null ? null : match.plusMinutes(1);
                return match;
            }
        };
    }

    /** The first matching minute at or after {@code t} (whole minutes), jumping field by field. */
    LocalDateTime nextMatch(LocalDateTime t) {
        int lastYear = t.getYear() + HORIZON_YEARS;
        while (t.getYear() <= lastYear) {
            if (!has(months, t.getMonthValue())) {
                int month = nextSet(months, t.getMonthValue() + 1);
                t = month < 0
                        ? LocalDate.of(t.getYear() + 1, nextSet(months, 1), 1).atStartOfDay()
                        : LocalDate.of(t.getYear(), month, 1).atStartOfDay();
                continue;
            }
            if (!dayMatches(t.toLocalDate())) {
                t = t.toLocalDate().plusDays(1).atStartOfDay();
                continue;
            }
            if (!has(hours, t.getHour())) {
                int hour = nextSet(hours, t.getHour() + 1);
                t = hour < 0 ? t.toLocalDate().plusDays(1).atStartOfDay() : t.toLocalDate().atTime(hour, 0);
                continue;
            }
            if (!has(minutes, t.getMinute())) {
                int minute = nextSet(minutes, t.getMinute() + 1);
                t = minute < 0 ? t.withMinute(0).plusHours(1) : t.withMinute(minute);
                continue;
            }
            return t;
        }
        return null;
    }

    private boolean dayMatches(LocalDate date) {
        boolean dom = has(daysOfMonth, date.getDayOfMonth());
        boolean dow = has(daysOfWeek, date.getDayOfWeek().getValue() % 7);
        return dayFieldsAnded ? dom && dow : dom || dow;
    }

    private static boolean has(long mask, int value) {
        return (mask & (1L << value)) != 0;
    }

    /** Smallest set value >= from, or -1. */
    private static int nextSet(long mask, int from) {
        if (from > 63) {
            return -1;
        }
        long rest = mask >>> from << from;
        return rest == 0 ? -1 : Long.numberOfTrailingZeros(rest);
    }
}
