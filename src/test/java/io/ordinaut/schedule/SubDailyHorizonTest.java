package io.ordinaut.schedule;

import static io.ordinaut.schedule.Fixtures.at;
import static io.ordinaut.schedule.Fixtures.rrule;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Sub-daily rules are followed as far as they fire, not cut 401 years after the query. */
class SubDailyHorizonTest {

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
}
