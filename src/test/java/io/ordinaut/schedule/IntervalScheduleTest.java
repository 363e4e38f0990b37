package io.ordinaut.schedule;

import static io.ordinaut.schedule.Fixtures.at;
import static io.ordinaut.schedule.Fixtures.instants;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IntervalScheduleTest {

    private static Schedule interval(String expression, Instant anchor, Instant startAt) {
        return Schedules.compile(new ScheduleDefinition(ScheduleKind.INTERVAL, expression,
                ZoneId.of("America/New_York"), anchor, startAt, null));
    }

    @Test
    void interval_counts_from_the_anchor_truncated_to_the_second() {
        Schedule schedule = interval("PT30S", at("2026-03-02T10:00:00.750Z"), null);
        // k = 0 is 10:00:00, before the creation moment, so the first fire after creation is 10:00:30.
        assertThat(schedule.occurrencesAfter(at("2026-03-02T10:00:00.750Z"), 3))
                .containsExactlyElementsOf(instants("2026-03-02T10:00:30Z", "2026-03-02T10:01:00Z",
                        "2026-03-02T10:01:30Z"));
        assertThat(schedule.occurrencesAfter(at("2026-03-02T09:00:00Z"), 1)).containsExactly(at("2026-03-02T10:00:00Z"));
        assertThat(schedule.nextAfter(at("2026-05-02T10:00:00Z"))).contains(at("2026-05-02T10:00:30Z"));
    }

    @Test
    void interval_counts_from_start_at_when_given_including_start_at_itself() {
        Schedule schedule = interval("PT1H", Fixtures.ANCHOR, at("2026-04-01T00:00:00Z"));
        assertThat(schedule.occurrencesAfter(Fixtures.ANCHOR, 2))
                .containsExactlyElementsOf(instants("2026-04-01T00:00:00Z", "2026-04-01T01:00:00Z"));
    }

    @Test
    void interval_is_an_exact_duration_that_ignores_dst() {
        // 24 h from 12:00 EST on March 7 is 13:00 EDT on March 8.
        Schedule schedule = interval("P1D", at("2026-03-07T17:00:00Z"), null);
        assertThat(schedule.occurrencesAfter(at("2026-03-07T17:00:00Z"), 2))
                .containsExactlyElementsOf(instants("2026-03-08T17:00:00Z", "2026-03-09T17:00:00Z"));
    }

    @Test
    void interval_latest_between_is_the_last_multiple_in_the_window() {
        Schedule schedule = interval("PT7M", at("2026-03-02T10:00:00Z"), null);
        // A week is 1440 x 7 minutes: 10:00 a week later fires, and the one before it is 09:53.
        assertThat(schedule.latestBetween(at("2026-03-01T00:00:00Z"), at("2026-03-09T10:00:00Z")))
                .contains(at("2026-03-09T10:00:00Z"));
        assertThat(schedule.latestBetween(at("2026-03-01T00:00:00Z"), at("2026-03-09T09:59:59Z")))
                .contains(at("2026-03-09T09:53:00Z"));
        assertThat(schedule.latestBetween(at("2026-03-02T10:00:01Z"), at("2026-03-02T10:06:59Z"))).isEmpty();
        assertThat(schedule.latestBetween(at("2026-03-01T00:00:00Z"), at("2026-03-02T09:59:59Z"))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "PT30S,   PT30S,   30",
            "pt5m,    PT5M,    300",
            "PT1H30M, PT1H30M, 5400",
            "PT90M,   PT1H30M, 5400",
            "P1D,     P1D,     86400",
            "PT24H,   P1D,     86400",
            "P1W,     P7D,     604800",
            "P2DT3H,  P2DT3H,  183600",
            "PT1S,    PT1S,    1",
    })
    void interval_accepts_iso_durations_and_normalises_them(String expression, String normalised, long seconds) {
        Schedule schedule = interval(expression, at("2026-03-02T10:00:00Z"), null);
        assertThat(schedule.definition().expression()).isEqualTo(normalised);
        assertThat(schedule.nextAfter(at("2026-03-02T10:00:00Z"))).contains(at("2026-03-02T10:00:00Z").plusSeconds(seconds));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "P1M      | uses months or years, which have no fixed length; use an rrule schedule such as FREQ=MONTHLY",
            "P1Y      | uses months or years",
            "P1Y2M    | uses months or years",
            "PT0S     | must be at least 1 second",
            "P0D      | must be at least 1 second",
            "PT0.5S   | has a fractional second",
            "PT1.5S   | has a fractional second",
            "-PT5M    | is not an ISO-8601 duration",
            "5 minutes | is not an ISO-8601 duration",
            "PT       | is not an ISO-8601 duration",
            "P        | is not an ISO-8601 duration",
            "P1DT     | is not an ISO-8601 duration",
            "P99999W  | is longer than 100 years",
            "PT99999999999999999999S | is longer than 100 years",
    })
    void interval_rejects_bad_durations(String expression, String message) {
        assertThatThrownBy(() -> interval(expression, Fixtures.ANCHOR, null))
                .isInstanceOfSatisfying(InvalidScheduleException.class,
                        e -> assertThat(e.field()).isEqualTo("schedule_expr"))
                .hasMessageContaining(message);
    }
}
