package io.ordinaut.schedule;

import static io.ordinaut.schedule.Fixtures.at;
import static io.ordinaut.schedule.Fixtures.instants;
import static io.ordinaut.schedule.Fixtures.rrule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Sub-daily rules are followed as far as they fire — to the year 9999 — not cut some years after their
 * last occurrence: the calendar repeats every 400 years, but a rule's periods only come back to the same
 * place in it after lcm(period, 400 years), which is longer when the period does not divide 400 years.
 */
class SubDailyHorizonTest {

    private static final String FROM_DECEMBER = "DTSTART:20261201T000000\nRRULE:";
    private static final Instant DECEMBER = at("2026-12-01T00:00:00Z");

    @Test
    void a_sparse_hourly_rule_keeps_firing_past_four_hundred_years() {
        // given a rule that fires once a year, at 09:00 on Christmas Day
        Schedule schedule = rrule("FREQ=HOURLY;BYMONTH=12;BYMONTHDAY=25;BYHOUR=9", "UTC");

        // when 1000 occurrences are asked for
        List<Instant> occurrences = schedule.occurrencesAfter(Fixtures.ANCHOR, 1000);

        // then there are 1000, one a year from 2026 on: 2026 … 3025
        assertThat(occurrences).hasSize(1000);
        for (int i = 0; i < occurrences.size(); i++) {
            assertThat(occurrences.get(i)).isEqualTo(java.time.LocalDateTime.of(2026 + i, 12, 25, 9, 0).toInstant(ZoneOffset.UTC));
        }
    }

    @Test
    void a_sub_daily_rule_ends_only_at_the_year_9999() {
        Schedule schedule = rrule("FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=29;BYHOUR=12;BYMINUTE=0", "UTC");
        List<Instant> occurrences = schedule.occurrencesAfter(at("9000-01-01T00:00:00Z"), 1000);
        assertThat(occurrences).isNotEmpty().last().isEqualTo(at("9996-02-29T12:00:00Z"));
        assertThat(schedule.nextAfter(at("9996-03-01T00:00:00Z"))).isEmpty();
    }

    @Test
    void an_interval_that_does_not_divide_four_hundred_years_is_followed_across_longer_gaps() {
        // given every 1000 minutes from 2026-12-01 00:00, on Monday 29 February in the hour 23: 1000 min = 60,000 s
        // and 400 years = 12,622,780,800 s have gcd 2,400 s, so the periods only repeat their place in the
        // calendar every 25 × 400 = 10,000 years. Minutes from DTSTART (calendar arithmetic, each a multiple of
        // 1000, each date a Monday): 2360-02-29T23:20 175,271,000; 3244-02-29T23:20 640,211,000 (884 years
        // later); 3864-02-29T23:20 966,299,000; 5104-02-29T23:20 1,618,475,000.
        Schedule schedule = rrule(FROM_DECEMBER + "FREQ=MINUTELY;INTERVAL=1000;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;BYHOUR=23", "UTC");

        // when its occurrences after DTSTART are listed, then they go on past the 884 empty years
        assertThat(schedule.occurrencesAfter(DECEMBER, 4)).containsExactlyElementsOf(instants("2360-02-29T23:20:00Z",
                "3244-02-29T23:20:00Z", "3864-02-29T23:20:00Z", "5104-02-29T23:20:00Z"));
        assertThat(schedule.nextAfter(at("2360-03-01T00:00:00Z"))).contains(at("3244-02-29T23:20:00Z"));
    }

    @Test
    void a_rule_whose_first_occurrence_is_more_than_four_hundred_years_away_is_accepted() {
        // given every 1002 minutes, same dates: the first is 305,706,192 minutes (= 1002 × 305,096) after
        // DTSTART, at 2608-02-29T23:12, a Monday; the next 2664-02-29T23:42 (335,159,982 = 1002 × 334,491)
        Schedule schedule = rrule(FROM_DECEMBER + "FREQ=MINUTELY;INTERVAL=1002;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;BYHOUR=23", "UTC");

        // then it compiles (it was refused as never firing) and lists them
        assertThat(schedule.occurrencesAfter(DECEMBER, 2))
                .containsExactlyElementsOf(instants("2608-02-29T23:12:00Z", "2664-02-29T23:42:00Z"));
    }

    @Test
    void a_secondly_rule_with_occurrences_nineteen_centuries_apart_lists_them() {
        // given every 999,999,937 s (≈ 31.7 years) from 2026-12-01T00:00:00Z at second 0: 999,999,937 ≡ 37 (mod 60),
        // so period k starts at second 37k mod 60, which is 0 for k = 0, 60, 120, 180 … (k × 999,999,937 s after
        // DTSTART: 3928-03-29T09:37:00Z, 5829-07-25T19:14:00Z, 7730-11-21T04:51:00Z)
        Schedule schedule = rrule("DTSTART:20261201T000000Z\nRRULE:FREQ=SECONDLY;INTERVAL=999999937;BYSECOND=0", "UTC");

        // when asked after DTSTART (itself an occurrence), then the next ones come
        assertThat(schedule.occurrencesAfter(DECEMBER, 3)).containsExactlyElementsOf(instants("3928-03-29T09:37:00Z",
                "5829-07-25T19:14:00Z", "7730-11-21T04:51:00Z"));
        assertThat(schedule.occurrencesAfter(at("2026-11-01T00:00:00Z"), 2))
                .containsExactlyElementsOf(instants("2026-12-01T00:00:00Z", "3928-03-29T09:37:00Z"));
    }

    @Test
    void a_rule_whose_hour_never_falls_on_its_weekday_is_still_refused() {
        // given every 7 hours from Monday 2026-03-02 00:00: 01:00 comes at 49 h (k = 7), a Wednesday, and then
        // every 24 periods = 168 h = one week later, always a Wednesday: never on a Monday
        assertThatThrownBy(() -> rrule("FREQ=HOURLY;INTERVAL=7;BYDAY=MO;BYHOUR=1", "UTC"))
                .isInstanceOf(InvalidScheduleException.class)
                .hasMessageContaining("never produces an occurrence");
    }
}
