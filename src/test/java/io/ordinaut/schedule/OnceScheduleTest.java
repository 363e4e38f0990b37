package io.ordinaut.schedule;

import static io.ordinaut.schedule.Fixtures.at;
import static io.ordinaut.schedule.Fixtures.compile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OnceScheduleTest {

    @ParameterizedTest(name = "{0} in {1} -> {2}")
    @CsvSource({
            "2026-03-08T09:00:00-05:00, Asia/Tokyo,       2026-03-08T14:00:00Z",
            "2026-03-08T09:00:00Z,      America/New_York, 2026-03-08T09:00:00Z",
            "2026-03-08T09:00Z,         UTC,              2026-03-08T09:00:00Z",
            "2026-03-08T09:00:00.750Z,  UTC,              2026-03-08T09:00:00.750Z",
            "2026-03-08T09:00:00.123456789Z, UTC,         2026-03-08T09:00:00.123456Z",
            "2026-03-08T09:00:00,       America/New_York, 2026-03-08T13:00:00Z",
            "2026-03-08T09:00,          Europe/Paris,     2026-03-08T08:00:00Z",
            "2026-03-08T02:30:00,       America/New_York, 2026-03-08T07:30:00Z",
            "2026-11-01T01:30:00,       America/New_York, 2026-11-01T05:30:00Z",
            "2026-10-04T02:15:00,       Australia/Lord_Howe, 2026-10-03T15:45:00Z",
    })
    void once_reads_offsets_as_given_and_local_times_in_the_zone_with_the_dst_rule(String expression, String zone,
                                                                                   String expected) {
        Schedule schedule = compile(ScheduleKind.ONCE, expression, zone);
        assertThat(schedule.definition().expression()).isEqualTo(expected);
        assertThat(schedule.nextAfter(at("2026-01-01T00:00:00Z"))).contains(at(expected));
        assertThat(Schedules.compile(schedule.definition()).definition()).isEqualTo(schedule.definition());
    }

    @Test
    void once_fires_only_strictly_after_the_given_instant() {
        Schedule schedule = compile(ScheduleKind.ONCE, "2026-03-08T14:00:00Z", "UTC");
        assertThat(schedule.occurrencesAfter(at("2026-03-08T13:59:59Z"), 5)).containsExactly(at("2026-03-08T14:00:00Z"));
        assertThat(schedule.nextAfter(at("2026-03-08T14:00:00Z"))).isEmpty();
    }

    @Test
    void once_in_the_past_compiles_but_has_no_future_fire() {
        Schedule schedule = compile(ScheduleKind.ONCE, "2020-01-01T00:00:00Z", "UTC");
        assertThat(schedule.nextAfter(Fixtures.ANCHOR)).isEmpty();
        assertThat(schedule.occurrencesAfter(Fixtures.ANCHOR, 10)).isEmpty();
        assertThat(schedule.latestBetween(at("2019-12-31T00:00:00Z"), Fixtures.ANCHOR))
                .contains(at("2020-01-01T00:00:00Z"));
        assertThat(schedule.latestBetween(at("2020-01-01T00:00:01Z"), Fixtures.ANCHOR)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"tomorrow", "2026-03-08", "2026-03-08 09:00", "2026-02-30T09:00:00Z", "09:00"})
    void once_rejects_text_that_is_not_an_iso_date_time(String expression) {
        assertThatThrownBy(() -> compile(ScheduleKind.ONCE, expression, "UTC"))
                .isInstanceOfSatisfying(InvalidScheduleException.class,
                        e -> assertThat(e.field()).isEqualTo("schedule_expr"))
                .hasMessageContaining("is not an ISO-8601 date-time");
    }
}
