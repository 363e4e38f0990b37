package io.ordinaut.schedule;

import java.util.List;
import java.util.Locale;

/**
 * The five classic cron fields: their ranges, names, and the parser for one field's text into a
 * bit set (bit n set = value n allowed). Day-of-week accepts 0-7 with 7 folded onto 0 (Sunday).
 */
enum CronField {
    MINUTE("minute", 0, 59, 59, List.of()),
    HOUR("hour", 0, 23, 23, List.of()),
    DAY_OF_MONTH("day-of-month", 1, 31, 31, List.of()),
    MONTH("month", 1, 12, 12,
            List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
    DAY_OF_WEEK("day-of-week", 0, 6, 7, List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"));

    final String label;
    final int min;
    /** Upper end of "*". */
    final int max;
    /** Largest value one may write (7 for Sunday in day-of-week). */
    final int maxWritten;
    /** Names for min, min+1, ... */
    private final List<String> names;

    CronField(String label, int min, int max, int maxWritten, List<String> names) {
        this.label = label;
        this.min = min;
        this.max = max;
        this.maxWritten = maxWritten;
        this.names = names;
    }

    long fullMask() {
        return rangeMask(min, max, 1);
    }

    static long rangeMask(int from, int to, int step) {
        long mask = 0;
        for (int v = from; v <= to; v += step) {
            mask |= 1L << v;
        }
        return mask;
    }

    /** Parses one field: comma-separated items of {@code *}, {@code a}, {@code a-b}, each with optional {@code /step}. */
    long parse(String text) {
        if (text.indexOf('?') >= 0 || text.indexOf('#') >= 0) {
            throw error("'" + text + "' uses Quartz syntax (? or #), which is not supported; use classic"
                    + " 5-field cron, e.g. 0 9 * * MON-FRI");
        }
        long mask = 0;
        for (String item : text.split(",", -1)) {
            if (item.isEmpty()) {
                throw error("empty list item in '" + text + "'");
            }
            mask |= parseItem(item);
        }
        if (this == DAY_OF_WEEK && (mask & (1L << 7)) != 0) {
            mask = (mask & ~(1L << 7)) | 1L;
        }
        return mask;
    }

    private long parseItem(String item) {
        int slash = item.indexOf('/');
        String base = slash < 0 ? item : item.substring(0, slash);
        int step = 1;
        if (slash >= 0) {
            String stepText = item.substring(slash + 1);
            if (!stepText.matches("\\d{1,4}")) {
                throw error("step '" + stepText + "' in '" + item + "' is not a whole number");
            }
            step = Integer.parseInt(stepText);
            if (step == 0) {
                throw error("step 0 in '" + item + "' must be at least 1");
            }
        }
        int from;
        int to;
        if (base.equals("*")) {
            from = min;
            to = max;
        } else {
            int dash = base.indexOf('-', 1);
            if (dash > 0) {
                from = value(base.substring(0, dash));
                to = value(base.substring(dash + 1));
                if (from > to) {
                    throw error("range " + base + " is backwards (" + from + " > " + to + "); split it,"
                            + " e.g. " + from + "-" + maxWritten + "," + min + "-" + to);
                }
            } else {
                from = value(base);
                // "5/10" means 5-max/10, as in Vixie cron.
                to = slash >= 0 ? maxWritten : from;
            }
        }
        return rangeMask(from, to, step);
    }

    private int value(String token) {
        if (token.matches("\\d{1,4}")) {
            int v = Integer.parseInt(token);
            if (v < min || v > maxWritten) {
                throw error(v + " is out of range " + min + "-" + maxWritten);
            }
            return v;
        }
        int index = names.indexOf(token.toUpperCase(Locale.ROOT));
        if (index >= 0) {
            return min + index;
        }
        if (token.toUpperCase(Locale.ROOT).matches("L|LW|\\d*W|\\d*L(-\\d+)?")) {
            throw error("'" + token + "' uses Quartz syntax (L or W), which is not supported; use classic"
                    + " 5-field cron");
        }
        if (names.isEmpty()) {
            throw error("'" + token + "' is not a number");
        }
        throw error("'" + token + "' is not a number or a name (" + names.get(0) + "-" + names.get(names.size() - 1) + ")");
    }

    InvalidScheduleException error(String detail) {
        return InvalidScheduleException.expression(label + " field: " + detail + ".");
    }

    /** Canonical text of a set of values: "*", "*&#47;15", "10-50/5", or runs such as "1-5,7". */
    String format(long mask, boolean starAllowed) {
        if (mask == fullMask() && starAllowed) {
            return "*";
        }
        int first = Long.numberOfTrailingZeros(mask);
        int count = Long.bitCount(mask);
        if (count >= 3) {
            int second = Long.numberOfTrailingZeros(mask & ~(1L << first));
            int step = second - first;
            int last = 63 - Long.numberOfLeadingZeros(mask);
            if (step > 1 && rangeMask(first, last, step) == mask) {
                return starAllowed && first == min && last + step > max
                        ? "*/" + step
                        : first + "-" + last + "/" + step;
            }
        }
        StringBuilder out = new StringBuilder();
        int v = first;
        while (v < 64) {
            int end = v;
            while (end + 1 < 64 && (mask & (1L << (end + 1))) != 0) {
                end++;
            }
            if (out.length() > 0) {
                out.append(',');
            }
            if (end - v >= 2) {
                out.append(v).append('-').append(end);
            } else {
                out.append(v);
                if (end > v) {
                    out.append(',').append(end);
                }
            }
            long rest = end + 1 < 64 ? mask >>> (end + 1) << (end + 1) : 0;
            v = rest == 0 ? 64 : Long.numberOfTrailingZeros(rest);
        }
        return out.toString();
    }

    /**
     * Text that starts with "*" (so Vixie cron treats the field as unrestricted for the day-of-month
     * / day-of-week rule) yet selects exactly {@code mask}, which always contains {@code min}.
     */
    String formatStarred(long mask) {
        String plain = format(mask, true);
        if (plain.startsWith("*")) {
            return plain;
        }
        // "*/N" with N spanning the whole range selects just min; the rest is listed after it.
        String rest = format(mask & ~(1L << min), false);
        return "*/" + (max - min + 1) + (rest.isEmpty() ? "" : "," + rest);
    }
}
