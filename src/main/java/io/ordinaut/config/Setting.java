package io.ordinaut.config;

import java.time.Duration;

/**
 * The checks the {@code ordinaut.*} properties records run on their values in their constructors. A value a
 * setting cannot take throws {@link InvalidSettingException}, which stops the node at start with one line naming
 * the variable, the property, the value as given and what is accepted ({@link InvalidSettingFailureAnalyzer}).
 * Each check gives back the value, or the fallback when the setting is unset.
 */
public final class Setting {

    private Setting() {
    }

    public static int atLeast(String property, Integer value, int fallback, int min) {
        return between(property, value, fallback, min, Integer.MAX_VALUE);
    }

    public static int between(String property, Integer value, int fallback, int min, int max) {
        return (int) between(property, value == null ? null : value.longValue(), fallback, min, max);
    }

    public static long atLeast(String property, Long value, long fallback, long min) {
        return between(property, value, fallback, min, Long.MAX_VALUE);
    }

    public static long between(String property, Long value, long fallback, long min, long max) {
        if (value == null) {
            return fallback;
        }
        if (value < min || value > max) {
            throw invalid(property, value, wholeNumber(min, max));
        }
        return value;
    }

    /** Durations of zero or less are refused. */
    public static Duration positive(String property, Duration value, Duration fallback) {
        if (value == null) {
            return fallback;
        }
        if (value.isNegative() || value.isZero()) {
            throw invalid(property, value, "a duration above zero such as 500ms, 30s, 5m, 2h or 7d");
        }
        return value;
    }

    public static Duration atLeast(String property, Duration value, Duration fallback, Duration min) {
        if (value == null) {
            return fallback;
        }
        if (value.compareTo(min) < 0) {
            throw invalid(property, value, "a duration of at least " + text(min) + " such as 500ms, 30s, 5m, 2h or 7d");
        }
        return value;
    }

    /**
     * @param value    the value as the record sees it; the report shows the value as given instead when it finds it
     * @param accepted what to use, completing "use …"
     */
    public static InvalidSettingException invalid(String property, Object value, String accepted) {
        String shown = value instanceof Duration duration ? text(duration) : masked(String.valueOf(value));
        return InvalidSettingException.outside(property, shown, accepted);
    }

    static String wholeNumber(long min, long max) {
        if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
            return "a whole number of at least " + min;
        }
        return "a whole number from " + min + " to " + max;
    }

    /** A duration the way it is written in the settings: 500ms, 30s, 5m, 2h, 7d. */
    public static String text(Duration duration) {
        if (duration.toNanos() % 1_000_000 != 0) {
            return duration.toString();
        }
        long millis = duration.toMillis();
        if (millis == 0) {
            return "0s";
        }
        long[] sizes = {86_400_000, 3_600_000, 60_000, 1000};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (millis % sizes[i] == 0) {
                return millis / sizes[i] + units[i];
            }
        }
        return millis + "ms";
    }

    /** A URL with its user info (user:password@) shown as ***, so a refusal never shows credentials. */
    static String masked(String value) {
        return value.replaceFirst("^([^:/?#]*://)?[^/?#]*@", "$1***@");
    }
}
