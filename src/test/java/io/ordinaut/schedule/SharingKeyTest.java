package io.ordinaut.schedule;

import static io.ordinaut.schedule.Fixtures.at;
import static io.ordinaut.schedule.Fixtures.compile;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SharingKeyTest {

    /** Two tasks created on different days (and at different times of day): 11 days apart in Paris. */
    private static final Instant MONDAY = at("2026-03-02T10:17:00Z");
    private static final Instant LATER = at("2026-03-13T20:41:00Z");

    @ParameterizedTest
    @ValueSource(strings = {
            "FREQ=DAILY;BYHOUR=9",
            "FREQ=DAILY",
            "FREQ=WEEKLY;BYDAY=MO,FR;BYHOUR=8",
            "FREQ=MONTHLY;BYMONTHDAY=1,15",
            "FREQ=MONTHLY;BYDAY=-1FR",
            "FREQ=YEARLY;BYYEARDAY=100",
            "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=31",
            "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
            "FREQ=HOURLY",
            "FREQ=HOURLY;INTERVAL=8",
            "FREQ=MINUTELY;INTERVAL=15",
            "FREQ=SECONDLY;INTERVAL=2",
            "DTSTART:20260101T093000\nRRULE:FREQ=DAILY;INTERVAL=3",
    })
    void sharing_key_ignores_the_anchor_date_when_it_cannot_change_the_fire_times(String rule) {
        Schedule first = compile(ScheduleKind.RRULE, rule, "Europe/Paris", MONDAY);
        Schedule second = compile(ScheduleKind.RRULE, rule, "Europe/Paris", LATER);
        assertThat(first.sharingKey()).isEqualTo(second.sharingKey());
        // The promise behind equal keys: identical fire times once both tasks exist.
        assertThat(first.occurrencesAfter(LATER, 200)).isEqualTo(second.occurrencesAfter(LATER, 200));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "FREQ=DAILY;INTERVAL=2",
            "FREQ=WEEKLY",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
            "FREQ=MONTHLY",
            "FREQ=YEARLY",
            "FREQ=YEARLY;BYMONTH=3",
            "FREQ=HOURLY;INTERVAL=5",
            "FREQ=MINUTELY;INTERVAL=7",
            "FREQ=DAILY;COUNT=400",
    })
    void sharing_key_includes_the_anchor_date_when_it_changes_the_fire_times(String rule) {
        Schedule first = compile(ScheduleKind.RRULE, rule, "Europe/Paris", MONDAY);
        Schedule second = compile(ScheduleKind.RRULE, rule, "Europe/Paris", LATER);
        assertThat(first.sharingKey()).isNotEqualTo(second.sharingKey());
        assertThat(first.occurrencesAfter(LATER, 400)).isNotEqualTo(second.occurrencesAfter(LATER, 400));
        // Same date, other time of day: still the same fire times and key.
        Schedule sameDay = compile(ScheduleKind.RRULE, rule, "Europe/Paris", MONDAY.plusSeconds(3_600));
        assertThat(sameDay.sharingKey()).isEqualTo(first.sharingKey());
    }

    @Test
    void sharing_key_is_equal_for_equivalent_cron_spellings_and_differs_by_zone_or_bounds() {
        String key = compile(ScheduleKind.CRON, "0 9 * * MON-FRI", "Europe/Paris").sharingKey();
        assertThat(compile(ScheduleKind.CRON, "00 09 * * 1,2,3,4,5", "Europe/Paris").sharingKey()).isEqualTo(key);
        assertThat(compile(ScheduleKind.CRON, "0 9 * * 1-5", "Europe/Paris", LATER).sharingKey()).isEqualTo(key);
        assertThat(compile(ScheduleKind.CRON, "0 9 * * 1-5", "Europe/Berlin").sharingKey()).isNotEqualTo(key);
        assertThat(compile(ScheduleKind.CRON, "0 9 * * 1-6", "Europe/Paris").sharingKey()).isNotEqualTo(key);
        Schedule bounded = Schedules.compile(new ScheduleDefinition(ScheduleKind.CRON, "0 9 * * 1-5",
                ZoneId.of("Europe/Paris"), MONDAY, null, at("2026-06-01T00:00:00Z")));
        assertThat(bounded.sharingKey()).isNotEqualTo(key);
    }

    @Test
    void sharing_key_of_rrule_spellings_and_explicit_dtstart() {
        assertThat(compile(ScheduleKind.RRULE, "RRULE:byhour=9;freq=daily", "UTC").sharingKey())
                .isEqualTo(compile(ScheduleKind.RRULE, "FREQ=DAILY;BYHOUR=9", "UTC").sharingKey());
        assertThat(compile(ScheduleKind.RRULE, "DTSTART:20260101T093000\nRRULE:FREQ=DAILY;INTERVAL=3", "UTC")
                .sharingKey())
                .isNotEqualTo(compile(ScheduleKind.RRULE, "DTSTART:20260102T093000\nRRULE:FREQ=DAILY;INTERVAL=3",
                        "UTC").sharingKey());
    }

    @Test
    void sharing_key_of_interval_is_its_base_instant_and_of_once_its_instant() {
        String key = compile(ScheduleKind.INTERVAL, "PT5M", "UTC", at("2026-03-02T10:00:00.400Z")).sharingKey();
        assertThat(compile(ScheduleKind.INTERVAL, "PT300S", "Asia/Tokyo", at("2026-03-02T10:00:00.900Z")).sharingKey())
                .isEqualTo(key);
        assertThat(compile(ScheduleKind.INTERVAL, "PT5M", "UTC", at("2026-03-02T10:00:01Z")).sharingKey())
                .isNotEqualTo(key);
        assertThat(compile(ScheduleKind.ONCE, "2026-03-08T09:00:00-05:00", "UTC").sharingKey())
                .isEqualTo(compile(ScheduleKind.ONCE, "2026-03-08T09:00", "America/Chicago", LATER).sharingKey());
        assertThat(compile(ScheduleKind.ONCE, "2026-03-08T09:00", "America/New_York").sharingKey())
                .isNotEqualTo(compile(ScheduleKind.ONCE, "2026-03-08T09:00", "America/Chicago").sharingKey());
    }

    @Test
    void sharing_key_never_matches_across_kinds() {
        assertThat(compile(ScheduleKind.CRON, "0 * * * *", "UTC").sharingKey())
                .isNotEqualTo(compile(ScheduleKind.RRULE, "FREQ=HOURLY", "UTC").sharingKey());
    }
}
