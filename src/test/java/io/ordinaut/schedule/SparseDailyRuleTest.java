package io.ordinaut.schedule;

import static io.ordinaut.schedule.Fixtures.at;
import static io.ordinaut.schedule.Fixtures.compile;
import static io.ordinaut.schedule.Fixtures.instants;
import static io.ordinaut.schedule.Fixtures.rrule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;

/**
 * DAILY rules whose dates are decades apart fire on each of them. Feb 29 keeps its weekday from one leap
 * year to the next 28 years later unless a year like 2100 (not a leap year) lies between: Tuesday in
 * 2028, 2056, 2084, then 2124; Monday in 2044, 2072, then 2112 (2100 has none), 2140.
 */
class SparseDailyRuleTest {

    private static final Instant DECEMBER = at("2026-12-01T00:00:00Z");

    @Test
    void a_daily_rule_for_a_weekday_on_29_february_fires_every_28_to_40_years() {
        // given
        Schedule tuesdays = rrule("DTSTART:20280201T000000Z\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=TU", "UTC");
        Schedule mondays = compile(ScheduleKind.RRULE, "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", "UTC", DECEMBER);

        // when / then
        assertThat(tuesdays.occurrencesAfter(DECEMBER, 4)).containsExactlyElementsOf(instants("2028-02-29T00:00:00Z",
                "2056-02-29T00:00:00Z", "2084-02-29T00:00:00Z", "2124-02-29T00:00:00Z"));
        assertThat(mondays.occurrencesAfter(DECEMBER, 4)).containsExactlyElementsOf(instants("2044-02-29T00:00:00Z",
                "2072-02-29T00:00:00Z", "2112-02-29T00:00:00Z", "2140-02-29T00:00:00Z"));
        assertThat(mondays.nextAfter(at("2072-02-29T00:00:00Z"))).contains(at("2112-02-29T00:00:00Z"));
    }

    @Test
    void a_daily_interval_reaches_29_february_on_a_monday_only_every_few_centuries() {
        // given every 13 days from 2026-12-01: the Monday Feb 29s it lands on are 31,135 (13 × 2,395),
        // 111,488 (13 × 8,576) and 298,493 (13 × 22,961) days later
        Schedule schedule = compile(ScheduleKind.RRULE, "FREQ=DAILY;INTERVAL=13;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
                "UTC", DECEMBER);

        // then it is accepted and lists them, across the 512 years between the last two
        assertThat(schedule.occurrencesAfter(DECEMBER, 3)).containsExactlyElementsOf(instants("2112-02-29T00:00:00Z",
                "2332-02-29T00:00:00Z", "2844-02-29T00:00:00Z"));
    }

    @Test
    void every_time_of_a_sparse_day_fires_and_count_and_bysetpos_apply_across_the_gaps() {
        // given every 10 days from Friday 2026-04-24 06:30:17, on Monday 22 July at 04, 05 and 17 h: 2030-07-22
        // is 1,550 days later, 2154-07-22 46,840 (lib-recur gave up within the first day, after 05:30:17)
        Schedule hours = rrule("DTSTART:20260424T063017\nRRULE:FREQ=DAILY;INTERVAL=10;BYMONTH=7;BYMONTHDAY=22;BYDAY=MO;BYHOUR=4,5,17", "UTC");
        Schedule lastOfThree = rrule("DTSTART:20261201T000000\nRRULE:FREQ=DAILY;COUNT=3;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;"
                + "BYHOUR=9,17;BYSETPOS=-1", "UTC");

        assertThat(hours.occurrencesAfter(DECEMBER, 4)).containsExactlyElementsOf(instants("2030-07-22T04:30:17Z",
                "2030-07-22T05:30:17Z", "2030-07-22T17:30:17Z", "2154-07-22T04:30:17Z"));
        assertThat(lastOfThree.occurrencesAfter(DECEMBER, 5)).containsExactlyElementsOf(instants("2044-02-29T17:00:00Z",
                "2072-02-29T17:00:00Z", "2112-02-29T17:00:00Z"));
    }

    @Test
    void a_daily_rule_that_never_fires_is_still_refused() {
        // 30 February does not exist; every 7 days from a Tuesday is never a Monday
        for (String rule : new String[] {"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=DAILY;INTERVAL=7;BYDAY=MO"}) {
            assertThatThrownBy(() -> compile(ScheduleKind.RRULE, rule, "UTC", DECEMBER))
                    .isInstanceOf(InvalidScheduleException.class)
                    .hasMessageContaining("never produces an occurrence");
        }
    }
}
