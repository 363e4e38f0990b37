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

/** start_at and end_at bound every kind, both inclusive. */
class BoundsTest {

    private static final Instant START = at("2026-03-02T10:00:00Z");
    private static final Instant END = at("2026-03-02T13:00:00Z");

    private static Schedule bounded(ScheduleKind kind, String expression) {
        return Schedules.compile(new ScheduleDefinition(kind, expression, ZoneId.of("UTC"),
                at("2026-03-01T08:30:00Z"), START, END));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "CRON,     0 * * * *",
            "RRULE,    FREQ=HOURLY",
            "INTERVAL, PT1H",
    })
    void bounds_keep_only_occurrences_from_start_to_end_inclusive(ScheduleKind kind, String expression) {
        Schedule schedule = bounded(kind, expression);
        assertThat(schedule.occurrencesAfter(at("2026-03-01T00:00:00Z"), 10))
                .containsExactlyElementsOf(instants("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z",
                        "2026-03-02T12:00:00Z", "2026-03-02T13:00:00Z"));
        assertThat(schedule.nextAfter(at("2026-03-01T00:00:00Z"))).contains(START);
        assertThat(schedule.nextAfter(END)).isEmpty();
        assertThat(schedule.latestBetween(at("2026-03-01T00:00:00Z"), at("2026-03-09T00:00:00Z"))).contains(END);
        assertThat(schedule.latestBetween(at("2026-03-01T00:00:00Z"), START.minusSeconds(1))).isEmpty();
        assertThat(schedule.latestBetween(END.plusSeconds(1), at("2026-03-09T00:00:00Z"))).isEmpty();
    }

    @Test
    void bounds_drop_a_once_outside_them() {
        assertThat(bounded(ScheduleKind.ONCE, "2026-03-02T14:00:00Z").nextAfter(at("2026-03-01T00:00:00Z"))).isEmpty();
        assertThat(bounded(ScheduleKind.ONCE, "2026-03-02T09:59:59Z").nextAfter(at("2026-03-01T00:00:00Z"))).isEmpty();
        assertThat(bounded(ScheduleKind.ONCE, "2026-03-02T13:00:00Z").nextAfter(at("2026-03-01T00:00:00Z")))
                .contains(END);
    }

    @Test
    void bounds_require_end_after_start() {
        for (Instant end : new Instant[] {START, START.minusSeconds(1)}) {
            assertThatThrownBy(() -> Schedules.compile(new ScheduleDefinition(ScheduleKind.CRON, "* * * * *",
                    ZoneId.of("UTC"), START, START, end)))
                    .isInstanceOfSatisfying(InvalidScheduleException.class,
                            e -> assertThat(e.field()).isEqualTo("end_at"))
                    .hasMessageContaining("must be after start_at");
        }
    }

    @Test
    void bounds_may_be_open_on_either_side() {
        Schedule onlyEnd = Schedules.compile(new ScheduleDefinition(ScheduleKind.CRON, "0 * * * *",
                ZoneId.of("UTC"), START, null, END));
        assertThat(onlyEnd.occurrencesAfter(at("2026-03-02T11:30:00Z"), 10))
                .containsExactlyElementsOf(instants("2026-03-02T12:00:00Z", "2026-03-02T13:00:00Z"));
        Schedule onlyStart = Schedules.compile(new ScheduleDefinition(ScheduleKind.CRON, "0 * * * *",
                ZoneId.of("UTC"), START, END, null));
        assertThat(onlyStart.occurrencesAfter(START, 2))
                .containsExactlyElementsOf(instants("2026-03-02T13:00:00Z", "2026-03-02T14:00:00Z"));
    }
}
