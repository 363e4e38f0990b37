package io.ordinaut.task;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Fire times as ISO-8601 with the zone's offset at that instant, always with seconds, and with the
 * fraction of a second when there is one (a once at 18:00:00.123Z, an interval from a start_at at
 * :54.800): an occurrence is shown as the instant it fires at. So the offset keeps its seconds when it
 * has them (local mean time: -00:44:30 in Africa/Monrovia until 1972, -04:56:02 in New York until
 * 1883); cut to minutes it would name another instant.
 */
final class OccurrenceFormat {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");
    /** +HH:MM, +HH:MM:ss when the offset has seconds, Z for zero. */
    private static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("XXXXX");

    private OccurrenceFormat() {
    }

    static List<String> format(List<Instant> instants, ZoneId zone) {
        return instants.stream().map(i -> format(i.atZone(zone))).toList();
    }

    /** The fraction in groups of three digits, as Instant.toString writes next_run_at: .5 s is ".500". */
    private static String format(ZonedDateTime t) {
        int nanos = t.getNano();
        String fraction = nanos == 0 ? ""
                : nanos % 1_000_000 == 0 ? String.format(Locale.ROOT, ".%03d", nanos / 1_000_000)
                : nanos % 1_000 == 0 ? String.format(Locale.ROOT, ".%06d", nanos / 1_000)
                : String.format(Locale.ROOT, ".%09d", nanos);
        return SECONDS.format(t) + fraction + OFFSET.format(t);
    }
}
