package io.ordinaut.schedule;

import static io.ordinaut.schedule.Fixtures.at;
import static io.ordinaut.schedule.Fixtures.compile;
import static io.ordinaut.schedule.Fixtures.instants;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The first instants of the year 1 UTC are still the year 0 west of Greenwich: in New York (local mean
 * time, -4:56:02) 0001-01-01T00:00:00Z is 0000-12-31T19:03:58, so a rule anchored then starts on
 * 0000-12-31 at 00:00 local and its next midnight is 0001-01-01T00:00-04:56:02 = 04:56:02Z.
 */
class YearOneTest {

    private static final Instant YEAR_ONE = at("0001-01-01T00:00:00Z");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // every local midnight from the anchor's 0000-12-31
            "FREQ=DAILY   | 0001-01-01T04:56:02Z 0001-01-02T04:56:02Z 0001-01-03T04:56:02Z",
            // every 7 days from 0000-12-31
            "FREQ=WEEKLY  | 0001-01-07T04:56:02Z 0001-01-14T04:56:02Z 0001-01-21T04:56:02Z",
            // the 31st, in the months that have one
            "FREQ=MONTHLY | 0001-01-31T04:56:02Z 0001-03-31T04:56:02Z 0001-05-31T04:56:02Z",
            "FREQ=YEARLY  | 0001-12-31T04:56:02Z 0002-12-31T04:56:02Z 0003-12-31T04:56:02Z",
            // the rest of 0000-12-31 local: 20:00 local is 00:56:02Z of the year 1, as cron 0 * * * * has it
            "FREQ=HOURLY  | 0001-01-01T00:56:02Z 0001-01-01T01:56:02Z 0001-01-01T02:56:02Z"})
    void a_rule_anchored_at_the_first_instant_of_the_year_one_starts_at_once(String rule, String expected) {
        Schedule schedule = compile(ScheduleKind.RRULE, rule, "America/New_York", YEAR_ONE);

        assertThat(schedule.occurrencesAfter(YEAR_ONE, 3)).containsExactlyElementsOf(instants(expected.split(" ")));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {"FREQ=DAILY | 0 0 * * *", "FREQ=HOURLY | 0 * * * *"})
    void rrule_and_cron_agree_in_the_year_one(String rule, String cron) {
        Schedule rrule = compile(ScheduleKind.RRULE, rule, "America/New_York", YEAR_ONE);
        Schedule same = compile(ScheduleKind.CRON, cron, "America/New_York", YEAR_ONE);

        assertThat(rrule.occurrencesAfter(YEAR_ONE, 30)).isEqualTo(same.occurrencesAfter(YEAR_ONE, 30));
    }
}
