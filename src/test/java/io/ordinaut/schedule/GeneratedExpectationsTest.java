package io.ordinaut.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks fire instants against data produced by independent implementations (python-dateutil for
 * RRULE, croniter for cron, both expanded in floating time and resolved by zoneinfo with fold=0);
 * see the generator scripts in src/test/resources/schedule/.
 */
class GeneratedExpectationsTest {

    static Stream<Arguments> rruleCases() {
        return Fixtures.tsv("/schedule/rrule_expectations.tsv").stream().map(r -> Arguments.of(r[0], r[1],
                Instant.parse(r[2]), Instant.parse(r[3]), Integer.parseInt(r[4]), r[5].replace("\\n", "\n"),
                Fixtures.parseList(r[6])));
    }

    static Stream<Arguments> cronCases() {
        return Fixtures.tsv("/schedule/cron_expectations.tsv").stream().map(r -> Arguments.of(r[0], r[1],
                Fixtures.ANCHOR, Instant.parse(r[2]), Integer.parseInt(r[3]), r[4], Fixtures.parseList(r[5])));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rruleCases")
    void rrule_matches_dateutil(String id, String zone, Instant anchor, Instant after, int count, String expression,
                                List<Instant> expected) {
        assertMatches(ScheduleKind.RRULE, zone, anchor, after, count, expression, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cronCases")
    void cron_matches_croniter_in_floating_time(String id, String zone, Instant anchor, Instant after, int count,
                                                String expression, List<Instant> expected) {
        assertMatches(ScheduleKind.CRON, zone, anchor, after, count, expression, expected);
    }

    private static void assertMatches(ScheduleKind kind, String zone, Instant anchor, Instant after, int count,
                                      String expression, List<Instant> expected) {
        assertThat(expected).as("test data").isNotEmpty();
        Schedule schedule = Fixtures.compile(kind, expression, zone, anchor);

        assertThat(schedule.occurrencesAfter(after, count)).containsExactlyElementsOf(expected);
        assertThat(schedule.nextAfter(after)).contains(expected.get(0));
        // Each expected instant is followed by the next one, whatever the starting point.
        for (int i = 0; i + 1 < expected.size(); i++) {
            assertThat(schedule.nextAfter(expected.get(i))).contains(expected.get(i + 1));
            assertThat(schedule.nextAfter(expected.get(i + 1).minusSeconds(1))).contains(expected.get(i + 1));
        }
        // Misfire catch-up finds the last instant of a window, and nothing in an empty window.
        Instant last = expected.get(expected.size() - 1);
        assertThat(schedule.latestBetween(after, last)).contains(last);
        assertThat(schedule.latestBetween(after.plusNanos(1), last.minusSeconds(1)))
                .isEqualTo(expected.size() > 1 ? Optional.of(expected.get(expected.size() - 2)) : Optional.empty());

        // The normalised definition (what is persisted) compiles to the same fire times.
        ScheduleDefinition normalised = schedule.definition();
        Schedule reloaded = Schedules.compile(normalised);
        assertThat(reloaded.definition()).isEqualTo(normalised);
        assertThat(reloaded.sharingKey()).isEqualTo(schedule.sharingKey());
        assertThat(reloaded.occurrencesAfter(after, count)).containsExactlyElementsOf(expected);
        assertThat(normalised.zone()).isEqualTo(ZoneId.of(zone));
    }
}
