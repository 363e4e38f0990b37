package io.ordinaut.schedule;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Small helpers shared by the schedule tests. */
final class Fixtures {

    static final Instant ANCHOR = Instant.parse("2026-03-02T10:00:00Z");

    private Fixtures() {
    }

    static Schedule compile(ScheduleKind kind, String expression, String zone) {
        return compile(kind, expression, zone, ANCHOR);
    }

    static Schedule compile(ScheduleKind kind, String expression, String zone, Instant anchor) {
        return Schedules.compile(new ScheduleDefinition(kind, expression, ZoneId.of(zone), anchor, null, null));
    }

    static Schedule cron(String expression, String zone) {
        return compile(ScheduleKind.CRON, expression, zone);
    }

    static Schedule rrule(String expression, String zone) {
        return compile(ScheduleKind.RRULE, expression, zone);
    }

    static Instant at(String iso) {
        return Instant.parse(iso);
    }

    static List<Instant> instants(String... iso) {
        return Arrays.stream(iso).map(Instant::parse).toList();
    }

    /** Rows of a tab-separated resource, skipping # comments. */
    static List<String[]> tsv(String resource) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                Fixtures.class.getResourceAsStream(resource), StandardCharsets.UTF_8))) {
            List<String[]> rows = new ArrayList<>();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    rows.add(line.split("\t", -1));
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Instant> parseList(String spaceSeparated) {
        return spaceSeparated.equals("-") ? List.of()
                : Arrays.stream(spaceSeparated.split(" ")).map(Instant::parse).toList();
    }
}
