package io.ordinaut.schedule;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a task's schedule expression is interpreted. */
public enum ScheduleKind {
    CRON, RRULE, ONCE, INTERVAL, EVENT;

    /** The lower-case name used in the API and in storage. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name (case-insensitive, surrounding blanks ignored). */
    public static ScheduleKind fromWire(String s) {
        if (s != null) {
            String wanted = s.trim();
            for (ScheduleKind kind : values()) {
                if (kind.wireName().equalsIgnoreCase(wanted)) {
                    return kind;
                }
            }
        }
        String allowed = Arrays.stream(values()).map(ScheduleKind::wireName).collect(Collectors.joining(", "));
        String given = s == null || s.isBlank() ? "nothing was given" : "got '" + s + "'";
        throw new InvalidScheduleException(InvalidScheduleException.SCHEDULE_KIND,
                "schedule_kind must be one of " + allowed + "; " + given + ".");
    }
}
