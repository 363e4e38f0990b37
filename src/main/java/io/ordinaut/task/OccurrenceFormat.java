package io.ordinaut.task;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Fire times as ISO-8601 with the zone's offset at that instant, always with seconds. */
final class OccurrenceFormat {

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX");

    private OccurrenceFormat() {
    }

    static List<String> format(List<Instant> instants, ZoneId zone) {
        return instants.stream().map(i -> FORMAT.format(i.atZone(zone))).toList();
    }
}
