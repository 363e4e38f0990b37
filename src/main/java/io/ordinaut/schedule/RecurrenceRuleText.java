package io.ordinaut.schedule;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.WeekFields;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.dmfs.rfc5545.recur.InvalidRecurrenceRuleException;
import org.dmfs.rfc5545.recur.RecurrenceRule;

/**
 * One RRULE value, validated part by part (so messages can name the part) and then by lib-recur
 * (which knows RFC 5545's rules about which parts go with which FREQ). Keeps a canonical text:
 * parts in a fixed order, values sorted and de-duplicated, defaults (INTERVAL=1, WKST=MO) left out.
 */
final class RecurrenceRuleText {

    enum Frequency {
        SECONDLY(1), MINUTELY(60), HOURLY(3600), DAILY(86_400), WEEKLY(7 * 86_400), MONTHLY(0), YEARLY(0);

        /** Length of one period in floating local time; 0 when months make it vary. */
        final long seconds;

        Frequency(long seconds) {
            this.seconds = seconds;
        }

        boolean dailyOrFiner() {
            return this == SECONDLY || this == MINUTELY || this == HOURLY || this == DAILY;
        }
    }

    /** Canonical part order (RFC 5545's listing, BY parts from coarse to fine). */
    private static final List<String> PART_ORDER = List.of("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTH",
            "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY", "BYHOUR", "BYMINUTE", "BYSECOND", "BYSETPOS", "WKST");
    private static final List<String> WEEKDAYS = List.of("MO", "TU", "WE", "TH", "FR", "SA", "SU");
    /** Largest INTERVAL and COUNT: nine digits. */
    private static final int MAX_POSITIVE = 999_999_999;
    private static final Pattern WEEKDAY_NUM = Pattern.compile("([+-]?\\d{1,2})?([A-Z]{2})");

    final Frequency freq;
    final int interval;
    final Integer count;
    final ICalDateTime until;
    final int[] byMonth;
    final int[] byWeekNo;
    final int[] byYearDay;
    final int[] byMonthDay;
    /** Weekdays as ISO numbers 1 (MO) .. 7 (SU) with their positions (0 = every). */
    final int[][] byDay;
    final int[] byHour;
    final int[] byMinute;
    final int[] bySecond;
    final int[] bySetPos;
    /** Weeks as BYWEEKNO counts them: starting on WKST, week 1 the first with at least 4 days of its year. */
    final WeekFields weeks;
    final String canonical;
    /** The rule without UNTIL, which is applied outside lib-recur (it may be a UTC instant). */
    final RecurrenceRule withoutUntil;

    private RecurrenceRuleText(Map<String, String> parts, String original) {
        String freqText = parts.get("FREQ");
        if (freqText == null) {
            throw invalid(original, "it has no FREQ part; start it with e.g. FREQ=DAILY");
        }
        try {
            freq = Frequency.valueOf(freqText);
        } catch (IllegalArgumentException e) {
            throw InvalidScheduleException.expression("FREQ=" + freqText + " is not a frequency; use SECONDLY,"
                    + " MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY.");
        }
        interval = positive(parts, "INTERVAL", 1);
        count = parts.containsKey("COUNT") ? positive(parts, "COUNT", 1) : null;
        until = parts.containsKey("UNTIL") ? ICalDateTime.parse(parts.get("UNTIL"), null, true, "UNTIL") : null;
        if (count != null && until != null) {
            throw invalid(original, "COUNT and UNTIL cannot both be given; keep one of them");
        }
        byMonth = numbers(parts, "BYMONTH", 1, 12, false);
        byWeekNo = numbers(parts, "BYWEEKNO", 1, 53, true);
        byYearDay = numbers(parts, "BYYEARDAY", 1, 366, true);
        byMonthDay = numbers(parts, "BYMONTHDAY", 1, 31, true);
        byDay = weekdays(parts.get("BYDAY"));
        byHour = numbers(parts, "BYHOUR", 0, 23, false);
        byMinute = numbers(parts, "BYMINUTE", 0, 59, false);
        bySecond = numbers(parts, "BYSECOND", 0, 59, false);
        bySetPos = numbers(parts, "BYSETPOS", 1, 366, true);
        String wkst = parts.get("WKST");
        if (wkst != null && !WEEKDAYS.contains(wkst)) {
            throw InvalidScheduleException.expression("WKST=" + wkst + " is not a weekday; use MO, TU, WE, TH,"
                    + " FR, SA or SU.");
        }
        weeks = WeekFields.of(DayOfWeek.of(WEEKDAYS.indexOf(wkst == null ? "MO" : wkst) + 1), 4);
        canonical = canonicalText(wkst);
        withoutUntil = libRecur(original);
    }

    /** Parses the value of an RRULE line (an optional "RRULE:" prefix is accepted). */
    static RecurrenceRuleText parse(String text) {
        String body = text.trim();
        if (body.regionMatches(true, 0, "RRULE:", 0, 6)) {
            body = body.substring(6).trim();
        }
        Map<String, String> parts = new LinkedHashMap<>();
        for (String part : body.split(";")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw invalid(body, "'" + p + "' is not of the form NAME=VALUE");
            }
            String name = p.substring(0, eq).trim().toUpperCase(Locale.ROOT);
            String value = p.substring(eq + 1).trim().toUpperCase(Locale.ROOT);
            if (name.equals("RSCALE") || name.equals("SKIP")) {
                throw InvalidScheduleException.expression(name + " (RFC 7529 non-Gregorian calendars) is not"
                        + " supported.");
            }
            if (!PART_ORDER.contains(name)) {
                throw InvalidScheduleException.expression(name + " is not an RRULE part; use "
                        + String.join(", ", PART_ORDER) + ".");
            }
            if (value.isEmpty()) {
                throw InvalidScheduleException.expression(name + " has no value.");
            }
            if (parts.put(name, value) != null) {
                throw InvalidScheduleException.expression(name + " appears more than once in the RRULE.");
            }
        }
        if (parts.isEmpty()) {
            throw InvalidScheduleException.expression("The RRULE is empty; write e.g. FREQ=DAILY;BYHOUR=9.");
        }
        return new RecurrenceRuleText(parts, body);
    }

    /**
     * Whether the occurrences from now on depend on the date the rule starts on, when it starts at
     * 00:00:00 without DTSTART (used by sharing keys; conservative: true unless known not to).
     */
    boolean startDateMatters() {
        if (count != null) {
            return true;
        }
        return switch (freq) {
            case SECONDLY, MINUTELY, HOURLY -> 86_400 % (interval * freq.seconds) != 0;
            case DAILY -> interval != 1;
            case WEEKLY -> !(interval == 1 && byDay != null);
            case MONTHLY -> !(interval == 1 && (byMonthDay != null || byDay != null));
            case YEARLY -> !(interval == 1
                    && (byYearDay != null || (byMonth != null && (byMonthDay != null || byDay != null))));
        };
    }

    /**
     * Whether {@code date} lies in a week BYWEEKNO lists (true without BYWEEKNO). RFC 5545: weeks start on
     * WKST, week 1 of a year is the first with at least four days in it, and -1 is the year's last week,
     * so a date early in January may be in the previous year's last week and one late in December in the
     * next year's week 1. lib-recur alone also yields days of week "53" in years that have only 52 weeks
     * (the following year's week 1), and around such years even days that are not on a BYDAY weekday
     * (a Saturday for BYDAY=SU), which this check removes.
     */
    boolean inListedWeek(LocalDate date) {
        if (byWeekNo == null) {
            return true;
        }
        if (byDay != null && Arrays.stream(byDay).noneMatch(d -> d[0] == date.getDayOfWeek().getValue())) {
            return false;
        }
        int week = date.get(weeks.weekOfWeekBasedYear());
        int weeksInYear = (int) date.range(weeks.weekOfWeekBasedYear()).getMaximum();
        for (int wanted : byWeekNo) {
            if (wanted == week || weeksInYear + 1 + wanted == week) {
                return true;
            }
        }
        return false;
    }

    /** The same rule without BYSETPOS (to tell a BYSETPOS that selects nothing from other impossible rules). */
    RecurrenceRuleText withoutSetPos() {
        return bySetPos == null ? this : parse(canonical.replaceFirst(";BYSETPOS=[^;]*", ""));
    }

    /** This rule's occurrences in floating local time, starting at {@code start} (DTSTART). */
    LocalSequence expand(LocalDateTime start) {
        return freq.dailyOrFiner() ? new DailyAndFinerSequence(this, start) : new LibRecurSequence(this, start);
    }

    private String canonicalText(String wkst) {
        StringBuilder out = new StringBuilder("FREQ=").append(freq);
        if (interval != 1) {
            out.append(";INTERVAL=").append(interval);
        }
        if (count != null) {
            out.append(";COUNT=").append(count);
        }
        if (until != null) {
            out.append(";UNTIL=").append(until.value());
        }
        append(out, "BYMONTH", byMonth);
        append(out, "BYWEEKNO", byWeekNo);
        append(out, "BYYEARDAY", byYearDay);
        append(out, "BYMONTHDAY", byMonthDay);
        if (byDay != null) {
            List<String> days = new ArrayList<>();
            for (int[] d : byDay) {
                days.add((d[1] == 0 ? "" : Integer.toString(d[1])) + WEEKDAYS.get(d[0] - 1));
            }
            out.append(";BYDAY=").append(String.join(",", days));
        }
        append(out, "BYHOUR", byHour);
        append(out, "BYMINUTE", byMinute);
        append(out, "BYSECOND", bySecond);
        append(out, "BYSETPOS", bySetPos);
        if (wkst != null && !wkst.equals("MO")) {
            out.append(";WKST=").append(wkst);
        }
        return out.toString();
    }

    private RecurrenceRule libRecur(String original) {
        String text = until == null ? canonical : canonical.replace(";UNTIL=" + until.value(), "");
        try {
            return new RecurrenceRule(text, RecurrenceRule.RfcMode.RFC5545_STRICT);
        } catch (InvalidRecurrenceRuleException | RuntimeException e) {
            throw invalid(original, e.getMessage());
        }
    }

    private static void append(StringBuilder out, String name, int[] values) {
        if (values != null) {
            out.append(';').append(name).append('=');
            for (int i = 0; i < values.length; i++) {
                out.append(i == 0 ? "" : ",").append(values[i]);
            }
        }
    }

    private static int positive(Map<String, String> parts, String name, int fallback) {
        String value = parts.get(name);
        if (value == null) {
            return fallback;
        }
        if (!value.matches("\\d{1,9}") || Integer.parseInt(value) < 1) {
            throw InvalidScheduleException.expression(name + "=" + value + " must be a whole number from 1 to "
                    + MAX_POSITIVE + ".");
        }
        return Integer.parseInt(value);
    }

    /** A sorted, de-duplicated list of numbers within ±[min, max] (signed) or [min, max]. */
    private static int[] numbers(Map<String, String> parts, String name, int min, int max, boolean signed) {
        String value = parts.get(name);
        if (value == null) {
            return null;
        }
        TreeSet<Integer> result = new TreeSet<>();
        for (String item : value.split(",", -1)) {
            String v = item.trim();
            if (!v.matches(signed ? "[+-]?\\d{1,4}" : "\\d{1,4}")) {
                throw InvalidScheduleException.expression(name + "=" + v + " is not a"
                        + (signed ? "n (optionally signed)" : "") + " whole number.");
            }
            int n = Integer.parseInt(v.startsWith("+") ? v.substring(1) : v);
            if (Math.abs(n) < min || Math.abs(n) > max || (!signed && n < 0)) {
                throw InvalidScheduleException.expression(name + "=" + v + " is out of range " + min + " to "
                        + max + (signed ? " (or -" + max + " to -" + min + " counting from the end)" : "") + ".");
            }
            result.add(n);
        }
        return result.stream().mapToInt(Integer::intValue).toArray();
    }

    /** BYDAY items sorted by weekday (MO first), then position; each is {isoWeekday, position}. */
    private static int[][] weekdays(String value) {
        if (value == null) {
            return null;
        }
        TreeSet<List<Integer>> result = new TreeSet<>((a, b) -> a.get(0).equals(b.get(0))
                ? Integer.compare(a.get(1), b.get(1)) : Integer.compare(a.get(0), b.get(0)));
        for (String item : value.split(",", -1)) {
            String v = item.trim();
            Matcher m = WEEKDAY_NUM.matcher(v);
            if (!m.matches() || !WEEKDAYS.contains(m.group(2))) {
                throw InvalidScheduleException.expression("BYDAY=" + v + " is not a weekday; use MO, TU, WE,"
                        + " TH, FR, SA or SU, optionally with a position such as 1MO or -1FR.");
            }
            int position = 0;
            if (m.group(1) != null) {
                position = Integer.parseInt(m.group(1).startsWith("+") ? m.group(1).substring(1) : m.group(1));
                if (position == 0 || Math.abs(position) > 53) {
                    throw InvalidScheduleException.expression("BYDAY=" + v + " has position " + position
                            + "; use 1 to 53 or -53 to -1.");
                }
            }
            result.add(List.of(WEEKDAYS.indexOf(m.group(2)) + 1, position));
        }
        return result.stream().map(l -> new int[] {l.get(0), l.get(1)}).toArray(int[][]::new);
    }

    private static InvalidScheduleException invalid(String rule, String reason) {
        String sentence = reason == null ? "it is not a valid RFC 5545 rule" : reason.trim();
        if (!sentence.endsWith(".")) {
            sentence += ".";
        }
        return InvalidScheduleException.expression("Invalid RRULE '" + rule + "': " + sentence);
    }

    @Override
    public String toString() {
        return canonical;
    }
}
