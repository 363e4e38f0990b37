package io.ordinaut.schedule;

import static io.ordinaut.schedule.Fixtures.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class SchedulesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "UTC,               UTC",
            "America/New_York,  America/New_York",
            "europe/paris,      Europe/Paris",
            "' Asia/Tokyo ',    Asia/Tokyo",
            "EST5EDT,           EST5EDT",
            "Australia/Lord_Howe, Australia/Lord_Howe",
    })
    void zone_accepts_jdk_iana_names_in_any_case(String name, String id) {
        assertThat(Schedules.zone(name)).isEqualTo(ZoneId.of(id));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"  ", "+05:00", "Z", "GMT+5", "UTC+01:00", "Mars/Olympus", "Europe/Pariss"})
    void zone_rejects_offsets_unknown_names_and_blanks(String name) {
        assertThatThrownBy(() -> Schedules.zone(name))
                .isInstanceOfSatisfying(InvalidScheduleException.class,
                        e -> assertThat(e.field()).isEqualTo("timezone"))
                .hasMessageContaining("IANA name");
    }

    @Test
    void resolve_local_shifts_gap_times_by_the_gap_and_takes_the_earlier_overlap_instant() {
        ZoneId newYork = ZoneId.of("America/New_York");
        assertThat(Schedules.resolveLocal(LocalDateTime.parse("2026-03-08T02:30"), newYork).toInstant())
                .isEqualTo(at("2026-03-08T07:30:00Z"));
        assertThat(Schedules.resolveLocal(LocalDateTime.parse("2026-11-01T01:30"), newYork).toInstant())
                .isEqualTo(at("2026-11-01T05:30:00Z"));
        ZoneId lordHowe = ZoneId.of("Australia/Lord_Howe");
        assertThat(Schedules.resolveLocal(LocalDateTime.parse("2026-10-04T02:15"), lordHowe).toLocalDateTime())
                .isEqualTo(LocalDateTime.parse("2026-10-04T02:45"));
        assertThat(Schedules.resolveLocal(LocalDateTime.parse("2026-04-05T01:45"), lordHowe).getOffset())
                .isEqualTo(ZoneOffset.ofHours(11));
    }

    @ParameterizedTest
    @CsvSource({"cron, CRON", "RRULE, RRULE", "' once ', ONCE", "Interval, INTERVAL", "event, EVENT"})
    void schedule_kind_reads_wire_names(String wire, ScheduleKind kind) {
        assertThat(ScheduleKind.fromWire(wire)).isEqualTo(kind);
        assertThat(ScheduleKind.fromWire(kind.wireName())).isEqualTo(kind);
        assertThat(kind.wireName()).isEqualTo(kind.name().toLowerCase());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"quartz", "daily"})
    void schedule_kind_rejects_unknown_names_listing_the_allowed_ones(String wire) {
        assertThatThrownBy(() -> ScheduleKind.fromWire(wire))
                .isInstanceOfSatisfying(InvalidScheduleException.class,
                        e -> assertThat(e.field()).isEqualTo("schedule_kind"))
                .hasMessageContaining("cron, rrule, once, interval, event");
    }

    @Test
    void compile_names_the_missing_field() {
        ZoneId utc = ZoneId.of("UTC");
        assertField(new ScheduleDefinition(null, "* * * * *", utc, Fixtures.ANCHOR, null, null), "schedule_kind");
        assertField(new ScheduleDefinition(ScheduleKind.CRON, "* * * * *", null, Fixtures.ANCHOR, null, null),
                "timezone");
        assertField(new ScheduleDefinition(ScheduleKind.CRON, "* * * * *", ZoneOffset.ofHours(5), Fixtures.ANCHOR,
                null, null), "timezone");
        assertField(new ScheduleDefinition(ScheduleKind.CRON, "  ", utc, Fixtures.ANCHOR, null, null),
                "schedule_expr");
        assertField(new ScheduleDefinition(ScheduleKind.RRULE, null, utc, Fixtures.ANCHOR, null, null),
                "schedule_expr");
    }

    private static void assertField(ScheduleDefinition definition, String field) {
        assertThatThrownBy(() -> Schedules.compile(definition))
                .isInstanceOfSatisfying(InvalidScheduleException.class, e -> assertThat(e.field()).isEqualTo(field));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "CRON     | '  */15  9-17 * * mon-fri '",
            "CRON     | @weekly",
            "RRULE    | rrule:freq=monthly;byday=-1fr;byhour=18",
            "RRULE    | DTSTART;TZID=europe/paris:20260301T090000\\nRRULE:FREQ=WEEKLY;BYDAY=MO\\nEXDATE;TZID=Europe/Paris:20260309T090000\\nRDATE:20260311T120000Z",
            "ONCE     | 2026-03-08T02:30",
            "INTERVAL | P1W",
            "EVENT    | orders.created",
    })
    void compile_of_the_normalised_definition_gives_an_identical_schedule(ScheduleKind kind, String expression) {
        Schedule schedule = Schedules.compile(new ScheduleDefinition(kind, expression.replace("\\n", "\n"),
                ZoneId.of("America/New_York"), Fixtures.ANCHOR,
                at("2026-03-01T00:00:00Z"), at("2027-03-01T00:00:00Z")));
        Schedule reloaded = Schedules.compile(schedule.definition());
        assertThat(reloaded.definition()).isEqualTo(schedule.definition());
        assertThat(reloaded.sharingKey()).isEqualTo(schedule.sharingKey());
        assertThat(reloaded.occurrencesAfter(at("2026-03-01T00:00:00Z"), 100))
                .isEqualTo(schedule.occurrencesAfter(at("2026-03-01T00:00:00Z"), 100));
        assertThat(Schedules.compile(reloaded.definition()).definition().expression())
                .isEqualTo(schedule.definition().expression());
    }

    @Test
    void occurrences_after_takes_a_non_negative_count() {
        Schedule schedule = Fixtures.cron("* * * * *", "UTC");
        assertThat(schedule.occurrencesAfter(Fixtures.ANCHOR, 0)).isEmpty();
        assertThat(schedule.occurrencesAfter(Fixtures.ANCHOR, 1000)).hasSize(1000).doesNotHaveDuplicates().isSorted();
        assertThatThrownBy(() -> schedule.occurrencesAfter(Fixtures.ANCHOR, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
