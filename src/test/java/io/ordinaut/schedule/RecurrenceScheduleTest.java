package io.ordinaut.schedule;

import static io.ordinaut.schedule.Fixtures.at;
import static io.ordinaut.schedule.Fixtures.compile;
import static io.ordinaut.schedule.Fixtures.instants;
import static io.ordinaut.schedule.Fixtures.rrule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecurrenceScheduleTest {

    @Test
    void rrule_without_dtstart_is_anchored_at_local_midnight_of_the_anchor_date() {
        Instant anchor = at("2026-03-02T10:07:13Z"); // 11:07:13 in Paris
        assertThat(compile(ScheduleKind.RRULE, "FREQ=MINUTELY;INTERVAL=15", "Europe/Paris", anchor)
                .occurrencesAfter(anchor, 3))
                .containsExactlyElementsOf(instants("2026-03-02T10:15:00Z", "2026-03-02T10:30:00Z",
                        "2026-03-02T10:45:00Z"));
        assertThat(compile(ScheduleKind.RRULE, "FREQ=DAILY;BYHOUR=9", "Europe/Paris", anchor).nextAfter(anchor))
                .contains(at("2026-03-03T08:00:00Z"));
        // The anchor's date is taken in the schedule's zone: 2026-03-02T23:30Z is already March 3 in Tokyo.
        assertThat(compile(ScheduleKind.RRULE, "FREQ=HOURLY;INTERVAL=5", "Asia/Tokyo", at("2026-03-02T23:30:00Z"))
                .nextAfter(at("2026-03-02T23:30:00Z")))
                .contains(at("2026-03-03T01:00:00Z")); // 10:00 JST = midnight JST + 2 x 5 h
    }

    @Test
    void rrule_secondly_anchored_long_ago_stays_on_its_lattice() {
        // Even seconds since midnight local time; New York offsets are whole hours, so even epoch seconds.
        Schedule schedule = compile(ScheduleKind.RRULE, "FREQ=SECONDLY;INTERVAL=2", "America/New_York",
                at("2025-02-01T10:00:00Z"));
        assertThat(schedule.nextAfter(at("2026-06-15T12:00:00Z"))).contains(at("2026-06-15T12:00:02Z"));
        assertThat(schedule.nextAfter(at("2026-06-15T12:00:01Z"))).contains(at("2026-06-15T12:00:02Z"));
        assertThat(schedule.occurrencesAfter(at("2026-06-15T12:00:00.5Z"), 3))
                .containsExactlyElementsOf(instants("2026-06-15T12:00:02Z", "2026-06-15T12:00:04Z",
                        "2026-06-15T12:00:06Z"));
    }

    @Test
    void rrule_hourly_interval_anchored_long_ago_keeps_counting_from_the_anchor_date() {
        // 2025-01-01 00:00 JST to 2026-03-01 00:00 JST is 424 days = 10176 h = 5 x 2035 + 1 h, so
        // the 5-hour lattice passes 04:00 and 09:00 JST on 2026-03-01.
        Schedule schedule = compile(ScheduleKind.RRULE, "FREQ=HOURLY;INTERVAL=5", "Asia/Tokyo",
                at("2025-01-01T03:00:00Z"));
        assertThat(schedule.occurrencesAfter(at("2026-02-28T15:00:00Z"), 2))
                .containsExactlyElementsOf(instants("2026-02-28T19:00:00Z", "2026-03-01T00:00:00Z"));
    }

    @Test
    void rrule_sparse_sub_daily_rules_are_found_across_long_empty_stretches() {
        // lib-recur alone gives up on these (thousands of empty periods).
        assertThat(rrule("FREQ=SECONDLY;BYHOUR=9;BYMINUTE=30;BYSECOND=0", "UTC").occurrencesAfter(Fixtures.ANCHOR, 2))
                .containsExactlyElementsOf(instants("2026-03-03T09:30:00Z", "2026-03-04T09:30:00Z"));
        assertThat(rrule("FREQ=MINUTELY;BYMONTH=6;BYMONTHDAY=-1;BYHOUR=23;BYMINUTE=59", "UTC")
                .nextAfter(Fixtures.ANCHOR)).contains(at("2026-06-30T23:59:00Z"));
        assertThat(rrule("FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=29;BYHOUR=12", "UTC").nextAfter(Fixtures.ANCHOR))
                .contains(at("2028-02-29T12:00:00Z"));
    }

    @Test
    void rrule_count_limits_occurrences_even_when_asked_late() {
        Schedule schedule = rrule("DTSTART:20260302T000000\nRRULE:FREQ=MINUTELY;COUNT=3;INTERVAL=10", "UTC");
        assertThat(schedule.occurrencesAfter(at("2026-03-01T00:00:00Z"), 10))
                .containsExactlyElementsOf(instants("2026-03-02T00:00:00Z", "2026-03-02T00:10:00Z",
                        "2026-03-02T00:20:00Z"));
        assertThat(schedule.nextAfter(at("2026-03-02T00:20:00Z"))).isEmpty();
        assertThat(schedule.latestBetween(at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z")))
                .contains(at("2026-03-02T00:20:00Z"));
    }

    @Test
    void rrule_until_as_a_date_includes_the_whole_day() {
        assertThat(rrule("FREQ=DAILY;BYHOUR=9,21;UNTIL=20260304", "Europe/Paris").occurrencesAfter(Fixtures.ANCHOR, 10))
                .containsExactlyElementsOf(instants("2026-03-02T20:00:00Z", "2026-03-03T08:00:00Z",
                        "2026-03-03T20:00:00Z", "2026-03-04T08:00:00Z", "2026-03-04T20:00:00Z"));
    }

    @Test
    void rrule_until_in_utc_bounds_the_instant_not_the_wall_clock() {
        // 09:00 Paris is 08:00Z: UNTIL=...T075959Z excludes that day, ...T080000Z includes it.
        assertThat(rrule("FREQ=DAILY;BYHOUR=9;UNTIL=20260304T075959Z", "Europe/Paris").occurrencesAfter(Fixtures.ANCHOR, 9))
                .containsExactlyElementsOf(instants("2026-03-03T08:00:00Z"));
        assertThat(rrule("FREQ=DAILY;BYHOUR=9;UNTIL=20260304T080000Z", "Europe/Paris").occurrencesAfter(Fixtures.ANCHOR, 9))
                .containsExactlyElementsOf(instants("2026-03-03T08:00:00Z", "2026-03-04T08:00:00Z"));
    }

    @Test
    void rrule_lines_may_be_separated_by_newlines_literal_backslash_n_or_blanks() {
        String canonical = "DTSTART;TZID=Europe/Paris:20260301T090000\nRRULE:FREQ=DAILY;COUNT=3\n"
                + "EXDATE;TZID=Europe/Paris:20260302T090000";
        for (String spelling : new String[] {
                canonical,
                canonical.replace("\n", "\r\n"),
                canonical.replace("\n", "\\n"),
                canonical.replace("\n", " "),
                "dtstart;tzid=europe/paris:20260301T090000\n\n  rrule:count=3;freq=daily  \nexdate;TZID=Europe/Paris:20260302T090000"}) {
            Schedule schedule = rrule(spelling, "UTC");
            assertThat(schedule.definition().expression()).as(spelling).isEqualTo(canonical);
            assertThat(schedule.occurrencesAfter(at("2026-02-28T00:00:00Z"), 5)).as(spelling)
                    .containsExactlyElementsOf(instants("2026-03-01T08:00:00Z", "2026-03-03T08:00:00Z"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "FREQ=DAILY;BYHOUR=9                              | FREQ=DAILY;BYHOUR=9",
            "RRULE:FREQ=DAILY;BYHOUR=9                        | FREQ=DAILY;BYHOUR=9",
            "rrule:byhour=9;freq=daily                        | FREQ=DAILY;BYHOUR=9",
            "FREQ=DAILY;INTERVAL=1;BYHOUR=9;WKST=MO;          | FREQ=DAILY;BYHOUR=9",
            "FREQ=WEEKLY;BYDAY=FR,MO,MO;BYMINUTE=30,0;BYHOUR=9 | FREQ=WEEKLY;BYDAY=MO,FR;BYHOUR=9;BYMINUTE=0,30",
            "FREQ=MONTHLY;BYDAY=+1MO,-1FR,1MO;BYSETPOS=2,-1    | FREQ=MONTHLY;BYDAY=1MO,-1FR;BYSETPOS=-1,2",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU;COUNT=4 | FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
            "FREQ=YEARLY;UNTIL=20300101T000000Z;BYMONTH=3     | FREQ=YEARLY;UNTIL=20300101T000000Z;BYMONTH=3",
            "FREQ=MINUTELY;BYSECOND=30,0;INTERVAL=15          | FREQ=MINUTELY;INTERVAL=15;BYSECOND=0,30",
    })
    void rrule_bare_rules_normalise_to_canonical_part_order_and_case(String expression, String normalised) {
        Schedule schedule = rrule(expression, "Europe/Paris");
        assertThat(schedule.definition().expression()).isEqualTo(normalised);
        assertThat(Schedules.compile(schedule.definition()).occurrencesAfter(Fixtures.ANCHOR, 30))
                .containsExactlyElementsOf(schedule.occurrencesAfter(Fixtures.ANCHOR, 30));
    }

    @Test
    void rrule_sets_normalise_lines_and_dates_into_a_fixed_order() {
        Schedule schedule = rrule("EXDATE:20260310T090000Z,20260305T090000Z\n"
                + "RRULE:FREQ=WEEKLY;BYDAY=MO\nRDATE;TZID=asia/tokyo:20260307T090000\n"
                + "DTSTART:20260302T090000\nRRULE:FREQ=DAILY;COUNT=3\nEXDATE:20260303T090000", "UTC");
        assertThat(schedule.definition().expression()).isEqualTo("DTSTART:20260302T090000\n"
                + "RRULE:FREQ=DAILY;COUNT=3\nRRULE:FREQ=WEEKLY;BYDAY=MO\n"
                + "RDATE;TZID=Asia/Tokyo:20260307T090000\n"
                + "EXDATE:20260303T090000\nEXDATE:20260305T090000Z,20260310T090000Z");
        assertThat(schedule.occurrencesAfter(at("2026-03-01T00:00:00Z"), 4))
                .containsExactlyElementsOf(instants("2026-03-02T09:00:00Z", "2026-03-04T09:00:00Z",
                        "2026-03-07T00:00:00Z", "2026-03-09T09:00:00Z"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "FREQ=DAILY;BYDAY=XX                  | BYDAY=XX is not a weekday",
            "FREQ=MONTHLY;BYDAY=0MO               | BYDAY=0MO has position 0",
            "FREQ=FOO                             | FREQ=FOO is not a frequency",
            "BYHOUR=9                             | it has no FREQ part",
            "FREQ=DAILY;BYHOUR=25                 | BYHOUR=25 is out of range 0 to 23.",
            "FREQ=MONTHLY;BYMONTHDAY=0            | BYMONTHDAY=0 is out of range 1 to 31",
            "FREQ=DAILY;BYMINUTE=-5               | BYMINUTE=-5 is not a whole number.",
            "FREQ=DAILY;INTERVAL=0                | INTERVAL=0 must be a whole number from 1 to 999999999.",
            "FREQ=DAILY;COUNT=x                   | COUNT=X must be a whole number from 1 to 999999999.",
            "FREQ=DAILY;COUNT=2;UNTIL=20260310T000000Z | COUNT and UNTIL cannot both be given",
            "FREQ=DAILY;UNTIL=2026-03-10          | UNTIL value '2026-03-10' is not a date-time",
            "FREQ=DAILY;BYSETPOS=1                | BYSETPOS must only be used in conjunction with another BYxxx rule.",
            "FREQ=WEEKLY;BYMONTHDAY=1             | BYMONTHDAY is not allowed in WEEKLY rules",
            "FREQ=DAILY;BYDAY=1MO                 | must not be specified with a numeric value",
            "FREQ=MONTHLY;BYWEEKNO=3              | BYWEEKNO is allowed in YEARLY rules only",
            "FREQ=DAILY;FOO=1                     | FOO is not an RRULE part",
            "FREQ=DAILY;RSCALE=GREGORIAN          | RSCALE (RFC 7529 non-Gregorian calendars) is not supported.",
            "FREQ=DAILY;BYHOUR=9;BYHOUR=10        | BYHOUR appears more than once",
            "FREQ=DAILY;BYHOUR                    | 'BYHOUR' is not of the form NAME=VALUE",
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30  | never produces an occurrence",
            "FREQ=HOURLY;INTERVAL=24;BYHOUR=3     | never produces an occurrence",
            "FREQ=MINUTELY;INTERVAL=120;BYHOUR=1  | never produces an occurrence",
            "FREQ=SECONDLY;INTERVAL=60;BYSECOND=30 | never produces an occurrence",
            "FREQ=HOURLY;BYMINUTE=0;BYSETPOS=2    | never produces an occurrence",
            "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30 | never produces an occurrence",
            "DTSTART:20260301\\nRRULE:FREQ=DAILY  | DTSTART value '20260301' is a date; give a date-time",
            "DTSTART:20260230T090000\\nRRULE:FREQ=DAILY | is not a valid calendar date-time",
            "DTSTART;TZID=Mars/Olympus:20260301T090000\\nRRULE:FREQ=DAILY | TZID=Mars/Olympus is not a known time zone",
            "DTSTART;TZID=Europe/Paris:20260301T090000Z\\nRRULE:FREQ=DAILY | ends in Z (UTC) but also has TZID",
            "DTSTART:20260301T090000\\nDTSTART:20260302T090000\\nRRULE:FREQ=DAILY | DTSTART appears more than once",
            "DTSTART:20260301T090000\\nEXRULE:FREQ=WEEKLY\\nRRULE:FREQ=DAILY | EXRULE is deprecated",
            "DTSTART:20260301T090000              | has no RRULE (or RDATE)",
            "RRULE:FREQ=DAILY\\nEXDATE;VALUE=DATE:20260305 | EXDATE;VALUE=DATE is not supported",
            "RRULE;X-FOO=1:FREQ=DAILY             | RRULE does not take the parameter X-FOO",
            "RRULE:FREQ=DAILY\\nSUMMARY:Standup   | 'SUMMARY:Standup' is not a DTSTART, RRULE, RDATE or EXDATE line.",
    })
    void rrule_rejects_invalid_rules_with_a_clear_reason(String expression, String message) {
        assertThatThrownBy(() -> rrule(expression.replace("\\n", "\n"), "UTC"))
                .isInstanceOfSatisfying(InvalidScheduleException.class,
                        e -> assertThat(e.field()).isEqualTo("schedule_expr"))
                .hasMessageContaining(message);
    }

    @Test
    void rrule_dtstart_with_tzid_expands_in_that_zone_whatever_the_schedule_zone() {
        Schedule schedule = rrule("DTSTART;TZID=America/New_York:20260306T090000\nRRULE:FREQ=DAILY;COUNT=3",
                "Asia/Tokyo");
        // 09:00 in New York, EST then EDT after the 2026-03-08 switch.
        assertThat(schedule.occurrencesAfter(at("2026-03-01T00:00:00Z"), 5))
                .containsExactlyElementsOf(instants("2026-03-06T14:00:00Z", "2026-03-07T14:00:00Z",
                        "2026-03-08T13:00:00Z"));
    }

    @Test
    void rrule_latest_between_finds_the_last_fire_of_a_long_outage() {
        Schedule schedule = compile(ScheduleKind.RRULE, "FREQ=MINUTELY;INTERVAL=7", "Europe/Chisinau",
                at("2026-01-01T12:00:00Z"));
        // Every 7 minutes from 2026-01-01 00:00 local (2025-12-31T22:00Z, before any DST change); the
        // last lattice point within 87,480 minutes is 12,497 x 7 = 87,479 minutes in.
        Instant latest = at("2025-12-31T22:00:00Z").plusSeconds(87_479L * 60);
        assertThat(schedule.latestBetween(at("2026-01-01T00:00:00Z"), at("2025-12-31T22:00:00Z").plusSeconds(87_480L * 60)))
                .contains(latest);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // Paris springs forward on 2026-03-29 (02:00-03:00 does not exist)
            "DTSTART;TZID=Europe/Paris:20260301T013000\\nRRULE:FREQ=MINUTELY;INTERVAL=7;BYHOUR=1,2,3;COUNT=4000 | Europe/Paris",
            // New York falls back on 2026-11-01 (01:00-02:00 happens twice)
            "DTSTART;TZID=America/New_York:20261020T000000\\nRRULE:FREQ=HOURLY;BYHOUR=1,2;COUNT=300 | UTC",
            "DTSTART:20260101T000000Z\\nRRULE:FREQ=DAILY;BYHOUR=6,12,18;BYSETPOS=-1,1;COUNT=1000 | UTC",
            "DTSTART;TZID=Europe/London:20260320T000000\\nRRULE:FREQ=SECONDLY;BYSECOND=0,30;COUNT=15000 | UTC",
            "DTSTART;TZID=Australia/Sydney:20260301T000000\\nRRULE:FREQ=MINUTELY;INTERVAL=13;BYDAY=SU,MO;BYHOUR=2,3;COUNT=3000 | UTC",
    })
    void rrule_count_answers_the_same_from_checkpoints_as_from_dtstart(String expression, String zone) {
        String text = expression.replace("\\n", "\n");
        // Read in one pass from DTSTART, the expansion never starts from a checkpoint.
        List<Instant> all = rrule(text, zone).occurrencesAfter(Instant.parse("2000-01-01T00:00:00Z"), 20_000);
        assertThat(all).hasSizeGreaterThan(250);
        // Later queries (each compiled afresh, as a window fire does) start from the checkpoints earlier
        // ones left: forward, backward, and past the last occurrence.
        int n = all.size();
        for (int i : new int[] {n / 2, n - 3, n / 3, 1, n / 2 + 1, n * 3 / 4, n - 1, n / 4, n * 3 / 4 + 7}) {
            assertThat(rrule(text, zone).occurrencesAfter(all.get(i - 1), 3))
                    .as("after occurrence %d", i - 1)
                    .containsExactlyElementsOf(all.subList(i, Math.min(n, i + 3)));
        }
        assertThat(rrule(text, zone).nextAfter(all.get(n - 1))).isEmpty();
    }

    @Test
    void rrule_count_queries_continue_from_the_checkpoint_the_previous_one_left() {
        String rule = "FREQ=SECONDLY;COUNT=999999";
        LocalDateTime start = LocalDateTime.parse("2031-05-07T03:04:05"); // a DTSTART no other test uses
        DailyAndFinerSequence first = (DailyAndFinerSequence) RecurrenceRuleText.parse(rule).expand(start);
        // 900 periods after DTSTART: replayed one by one (counting by day starts further away)
        LocalDateTime later = start.plusSeconds(900);
        assertThat(first.from(later).next()).isEqualTo(later);
        assertThat(first.periodsVisited.get()).isGreaterThan(800);
        // A new expansion of the same rule (a schedule compiled for the next fire) goes on from there.
        DailyAndFinerSequence second = (DailyAndFinerSequence) RecurrenceRuleText.parse(rule).expand(start);
        assertThat(second.from(later.plusSeconds(5)).next()).isEqualTo(later.plusSeconds(5));
        assertThat(second.periodsVisited.get()).isLessThan(10);
    }

    @Test
    void rrule_count_replaying_too_many_periods_to_the_time_asked_is_refused_where_defined() {
        // SECONDLY (counted by date) and DAILY from 1700: ~119,000 dates; lib-recur: 24 instances a day since 1900
        for (String text : List.of("DTSTART:17000101T000000Z\nRRULE:FREQ=SECONDLY;BYSECOND=0;COUNT=999999999",
                "DTSTART:17000101T000000Z\nRRULE:FREQ=DAILY;COUNT=999999999",
                "DTSTART:19000101T000000Z\nRRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;"
                        + "BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;COUNT=999999999")) {
            Schedule schedule = rrule(text, "UTC");
            assertThatThrownBy(() -> Schedules.requireAffordable(schedule, at("2026-01-03T00:00:00Z")))
                    .isInstanceOfSatisfying(InvalidScheduleException.class, e -> {
                        assertThat(e.field()).isEqualTo("schedule_expr");
                        assertThat(e.getMessage()).contains("DTSTART closer", "UNTIL");
                    });
        }
        // Close enough, the same rules are fine (from 1800: ~82,000 dates); without COUNT nothing is replayed.
        Schedules.requireAffordable(rrule("DTSTART:18000101T000000Z\nRRULE:FREQ=SECONDLY;BYSECOND=0;COUNT=999999999", "UTC"),
                at("2026-01-03T00:00:00Z"));
        Schedules.requireAffordable(rrule("DTSTART:20260101T000000Z\nRRULE:FREQ=SECONDLY;COUNT=999999999", "UTC"),
                at("2026-01-03T00:00:00Z"));
        Schedules.requireAffordable(rrule("DTSTART:19000101T000000Z\nRRULE:FREQ=SECONDLY", "UTC"),
                at("2026-01-03T00:00:00Z"));
    }
}
