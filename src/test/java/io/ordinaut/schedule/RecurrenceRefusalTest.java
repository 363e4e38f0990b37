package io.ordinaut.schedule;

import static io.ordinaut.schedule.Fixtures.at;
import static io.ordinaut.schedule.Fixtures.rrule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Rules lib-recur cannot expand are refused as the user's error (400), never thrown as anything else. */
class RecurrenceRefusalTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
            "FREQ=MONTHLY;BYMONTHDAY=31;BYSETPOS=2",
            "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1;BYSETPOS=-2",
            "FREQ=DAILY;BYHOUR=9;BYSETPOS=2",
            "FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=3",
            "FREQ=HOURLY;BYMINUTE=0,30;BYSETPOS=-3"})
    void a_bysetpos_that_selects_nothing_is_refused_naming_bysetpos(String rule) {
        assertThatThrownBy(() -> rrule(rule, "UTC"))
                .isInstanceOf(InvalidScheduleException.class)
                .hasMessageContaining("BYSETPOS")
                .hasMessageContaining("selects nothing")
                .satisfies(e -> assertThat(((InvalidScheduleException) e).details()).containsEntry("field", "schedule_expr"));
    }

    /**
     * Rules that are impossible or too sparse for lib-recur, or extreme: each either compiles and answers
     * queries (far ahead too) without throwing, or is refused naming schedule_expr.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
            "DTSTART:20440228T000000\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
            "FREQ=YEARLY;INTERVAL=400;BYMONTH=2;BYMONTHDAY=29",
            "FREQ=YEARLY;INTERVAL=999999999",
            "FREQ=MONTHLY;INTERVAL=999999999;BYMONTHDAY=31",
            "FREQ=YEARLY;BYWEEKNO=53;BYMONTH=6",
            "FREQ=YEARLY;BYWEEKNO=53;BYDAY=TH;BYSETPOS=2",
            "FREQ=YEARLY;BYYEARDAY=366;BYSETPOS=-1",
            "FREQ=MONTHLY;BYDAY=5FR;BYSETPOS=1",
            "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=29,30;BYSETPOS=2",
            "FREQ=SECONDLY;INTERVAL=999999999",
            "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;BYHOUR=23;BYMINUTE=59;BYSETPOS=1"})
    void sparse_or_extreme_rules_compile_or_are_refused_but_never_throw_anything_else(String rule) {
        Schedule schedule;
        try {
            schedule = rrule(rule, "UTC");
        } catch (InvalidScheduleException refused) {
            assertThat(refused.details()).containsEntry("field", "schedule_expr");
            return;
        }
        for (Instant after : List.of(Fixtures.ANCHOR, at("2100-01-01T00:00:00Z"), at("9990-01-01T00:00:00Z"))) {
            assertThat(schedule.occurrencesAfter(after, 5)).isSorted();
            schedule.latestBetween(Fixtures.ANCHOR, after.plusSeconds(86_400));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"FREQ=SECONDLY;INTERVAL=2147483647", "FREQ=DAILY;INTERVAL=1000000000", "FREQ=DAILY;COUNT=0"})
    void interval_and_count_out_of_range_are_refused_stating_the_limit(String rule) {
        assertThatThrownBy(() -> rrule(rule, "UTC"))
                .isInstanceOf(InvalidScheduleException.class)
                .hasMessageContaining("from 1 to 999999999");
        assertThat(rrule("FREQ=SECONDLY;INTERVAL=999999999", "UTC").nextAfter(Fixtures.ANCHOR)).isPresent();
    }
}
