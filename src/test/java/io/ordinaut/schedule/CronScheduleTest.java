package io.ordinaut.schedule;

import static io.ordinaut.schedule.Fixtures.at;
import static io.ordinaut.schedule.Fixtures.cron;
import static io.ordinaut.schedule.Fixtures.instants;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CronScheduleTest {

    @Test
    void cron_spring_forward_gap_shifts_by_gap_length() {
        // 2026-03-08 02:30 does not exist in New York; it fires at 03:30 EDT (07:30Z).
        assertThat(cron("30 2 * * *", "America/New_York").occurrencesAfter(at("2026-03-07T12:00:00Z"), 3))
                .containsExactlyElementsOf(instants("2026-03-08T07:30:00Z", "2026-03-09T06:30:00Z",
                        "2026-03-10T06:30:00Z"));
    }

    @Test
    void cron_fall_back_overlap_fires_once_at_the_earlier_instant() {
        // 01:30 happens twice on 2026-11-01 (EDT 05:30Z, then EST 06:30Z): only the first fires.
        assertThat(cron("30 1 * * *", "America/New_York").occurrencesAfter(at("2026-10-31T12:00:00Z"), 2))
                .containsExactlyElementsOf(instants("2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"));
    }

    @Test
    void cron_gap_occurrence_is_found_when_asked_from_inside_the_shifted_hour() {
        // At 03:10 EDT the wall clock is past 02:30, yet 02:30 (shifted to 03:30 EDT) is still ahead.
        assertThat(cron("30 2 * * *", "America/New_York").nextAfter(at("2026-03-08T07:10:00Z")))
                .contains(at("2026-03-08T07:30:00Z"));
    }

    @Test
    void cron_wall_clock_in_a_zone_without_dst_is_plain_offset() {
        assertThat(cron("0 9 * * *", "Asia/Tokyo").occurrencesAfter(at("2026-03-07T00:00:00Z"), 2))
                .containsExactlyElementsOf(instants("2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z"));
    }

    @Test
    void cron_both_day_fields_restricted_match_either_day() {
        // Vixie rule: the 1st and 15th of the month, and every Monday.
        assertThat(cron("0 0 1,15 * 1", "UTC").occurrencesAfter(at("2026-03-01T00:00:00Z"), 5))
                .containsExactlyElementsOf(instants("2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z",
                        "2026-03-15T00:00:00Z", "2026-03-16T00:00:00Z", "2026-03-23T00:00:00Z"));
    }

    @Test
    void cron_day_of_month_written_with_star_step_is_anded_with_day_of_week() {
        // "*/2" starts with "*", so odd days that are also Mondays: Mar 9, Mar 23, Apr 13.
        assertThat(cron("0 0 */2 * 1", "UTC").occurrencesAfter(at("2026-03-01T00:00:00Z"), 3))
                .containsExactlyElementsOf(instants("2026-03-09T00:00:00Z", "2026-03-23T00:00:00Z",
                        "2026-04-13T00:00:00Z"));
    }

    @Test
    void cron_day_of_week_written_with_star_step_is_anded_with_day_of_month() {
        // "*/5" = Sunday and Friday; 13ths of 2026 on those days after March 1: Mar 13, Sep 13, Nov 13, Dec 13.
        assertThat(cron("0 0 13 * */5", "UTC").occurrencesAfter(at("2026-03-01T00:00:00Z"), 4))
                .containsExactlyElementsOf(instants("2026-03-13T00:00:00Z", "2026-09-13T00:00:00Z",
                        "2026-11-13T00:00:00Z", "2026-12-13T00:00:00Z"));
    }

    @Test
    void cron_same_day_set_without_star_keeps_the_or_rule_after_normalising() {
        Schedule schedule = cron("0 0 1-31/2 * 1", "UTC");
        assertThat(schedule.definition().expression()).isEqualTo("0 0 1-31/2 * 1");
        // Odd days OR Mondays: Mar 1 (odd), Mar 2 (Monday), Mar 3 (odd).
        assertThat(Schedules.compile(schedule.definition()).occurrencesAfter(at("2026-02-28T12:00:00Z"), 3))
                .containsExactlyElementsOf(instants("2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z",
                        "2026-03-03T00:00:00Z"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "0 9 * * MON-FRI        | 0 9 * * 1-5",
            "0 9 * * 1-5            | 0 9 * * 1-5",
            "00 09 * * 1,2,3,4,5    | 0 9 * * 1-5",
            "0 9 * * mon,TUE,wed,Thu,fri | 0 9 * * 1-5",
            "0,15,30,45 * * * *     | */15 * * * *",
            "5/10 * * * *           | 5-55/10 * * * *",
            "10-50/20 8-10 * * *    | 10-50/20 8-10 * * *",
            "0 0 * * 7              | 0 0 * * 0",
            "0 0 * * SUN            | 0 0 * * 0",
            "0 12 1 JAN,jul *       | 0 12 1 1,7 *",
            "0 0 1-31 * 1           | 0 0 * * *",
            "0 0 */2 * */5          | 0 0 */2 * 0,5",
            "0 0 */3 * 1            | 0 0 */3 * 1",
            "0 0 */2,4 * 1          | 0 0 */31,3-5,7,9,11,13,15,17,19,21,23,25,27,29,31 * 1",
            "0 0 2 * */2            | 0 0 2 * */2",
            "@weekly                | 0 0 * * 0",
            "@yearly                | 0 0 1 1 *",
            "@annually              | 0 0 1 1 *",
            "@monthly               | 0 0 1 * *",
            "@daily                 | 0 0 * * *",
            "@MIDNIGHT              | 0 0 * * *",
            "@hourly                | 0 * * * *",
    })
    void cron_equivalent_spellings_normalise_to_one_canonical_form(String expression, String normalised) {
        Schedule schedule = cron(expression, "Europe/Paris");
        assertThat(schedule.definition().expression()).isEqualTo(normalised);
        Schedule reloaded = Schedules.compile(schedule.definition());
        assertThat(reloaded.definition().expression()).isEqualTo(normalised);
        assertThat(reloaded.occurrencesAfter(at("2026-03-01T00:00:00Z"), 40))
                .containsExactlyElementsOf(schedule.occurrencesAfter(at("2026-03-01T00:00:00Z"), 40));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "61 * * * *       | minute field: 61 is out of range 0-59.",
            "0 24 * * *       | hour field: 24 is out of range 0-23.",
            "0 0 0 * *        | day-of-month field: 0 is out of range 1-31.",
            "0 0 * 13 *       | month field: 13 is out of range 1-12.",
            "0 0 * * 8        | day-of-week field: 8 is out of range 0-7.",
            "x * * * *        | minute field: 'x' is not a number.",
            "0 0 * FOO *      | month field: 'FOO' is not a number or a name (JAN-DEC).",
            "0 0 * * FUNDAY   | day-of-week field: 'FUNDAY' is not a number or a name (SUN-SAT).",
            "*/0 * * * *      | minute field: step 0 in '*/0' must be at least 1.",
            "0 17-9 * * *     | hour field: range 17-9 is backwards",
            "0 0 1,,2 * *     | day-of-month field: empty list item in '1,,2'.",
            "0 0 ? * MON      | day-of-month field: '?' uses Quartz syntax",
            "0 0 L * *        | day-of-month field: 'L' uses Quartz syntax",
            "0 0 15W * *      | day-of-month field: '15W' uses Quartz syntax",
            "0 0 * * MON#2    | day-of-week field: 'MON#2' uses Quartz syntax",
            "0 0 * * 5L       | day-of-week field: '5L' uses Quartz syntax",
            "0 0 0 ? * MON    | has 6. Seconds and year fields (Quartz/Spring syntax) are not supported.",
            "0 0 * *          | has 4.",
            "@reboot          | '@reboot' is not a supported cron macro",
            "0 0 30 2 *       | never fires",
            "0 0 31 4,6,9,11 * | never fires",
    })
    void cron_rejects_bad_input_with_a_message_naming_the_problem(String expression, String message) {
        assertThatThrownBy(() -> cron(expression, "UTC"))
                .isInstanceOfSatisfying(InvalidScheduleException.class,
                        e -> assertThat(e.field()).isEqualTo("schedule_expr"))
                .hasMessageContaining(message);
    }

    @Test
    void cron_impossible_day_of_month_is_accepted_when_or_ed_with_a_weekday() {
        // Feb 30 never exists, but the OR rule still fires on Mondays in February.
        assertThat(cron("0 0 30 2 1", "UTC").nextAfter(at("2026-01-01T00:00:00Z")))
                .contains(at("2026-02-02T00:00:00Z"));
    }

    @Test
    void cron_latest_between_finds_the_last_fire_for_catch_up() {
        Schedule schedule = cron("*/5 * * * *", "Europe/Chisinau");
        assertThat(schedule.latestBetween(at("2026-01-01T00:00:00Z"), at("2026-03-01T10:07:59Z")))
                .contains(at("2026-03-01T10:05:00Z"));
        assertThat(schedule.latestBetween(at("2026-03-01T10:06:00Z"), at("2026-03-01T10:09:59Z"))).isEmpty();
        assertThat(schedule.latestBetween(at("2026-03-01T10:10:00Z"), at("2026-03-01T10:10:00Z")))
                .contains(at("2026-03-01T10:10:00Z"));
    }
}
