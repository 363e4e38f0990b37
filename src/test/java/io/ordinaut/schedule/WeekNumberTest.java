package io.ordinaut.schedule;

import static io.ordinaut.schedule.Fixtures.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** BYWEEKNO keeps exactly the days of the listed RFC 5545 weeks, checked against weeks counted here by hand. */
class WeekNumberTest {

    private static final Instant AFTER = at("2026-06-01T00:00:00Z");
    private static final LocalDate UNTIL = LocalDate.of(2060, 12, 31);

    @Test
    void week_53_fires_only_in_years_that_have_a_week_53() {
        // python-dateutil 2.9: rrulestr("FREQ=YEARLY;BYWEEKNO=53;BYDAY=TH", dtstart=2026-01-01 09:00)
        assertThat(Fixtures.rrule("DTSTART:20260101T090000\nRRULE:FREQ=YEARLY;BYWEEKNO=53;BYDAY=TH", "UTC")
                .occurrencesAfter(at("2026-01-01T00:00:00Z"), 6))
                .containsExactlyElementsOf(Fixtures.instants("2026-12-31T09:00:00Z", "2032-12-30T09:00:00Z",
                        "2037-12-31T09:00:00Z", "2043-12-31T09:00:00Z", "2048-12-31T09:00:00Z", "2054-12-31T09:00:00Z"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "53     | TH    | MO",
            "53     | TH    | SU",
            "53     | MO,SU | MO",
            "-1     | MO    | MO",
            "-1     | SU    | SU",
            "1      | MO    | MO",
            "1      | MO,FR | SU",
            "52,53  | SU    | MO",
            "52     | WE    | SU",
            "-53,1  | TH    | MO"})
    void byweekno_keeps_the_days_of_the_listed_weeks(String weekNumbers, String weekdays, String wkst) {
        String rule = "FREQ=YEARLY;BYWEEKNO=" + weekNumbers + ";BYDAY=" + weekdays
                + (wkst.equals("MO") ? "" : ";WKST=" + wkst);
        Schedule schedule = Fixtures.rrule("DTSTART:20260101T090000\nRRULE:" + rule, "UTC");

        List<Instant> expected = expected(weekNumbers, weekdays, wkst);
        assertThat(expected).as("weeks counted by hand for %s", rule).isNotEmpty();
        assertThat(schedule.occurrencesAfter(AFTER, expected.size() + 1)
                .stream().filter(t -> !t.isAfter(UNTIL.atTime(23, 59).toInstant(ZoneOffset.UTC))).toList())
                .as(rule).containsExactlyElementsOf(expected);
    }

    /** Every day after AFTER up to UNTIL on one of the weekdays whose week is listed, at 09:00 UTC. */
    private static List<Instant> expected(String weekNumbers, String weekdays, String wkst) {
        DayOfWeek weekStart = day(wkst);
        Set<DayOfWeek> days = Set.copyOf(java.util.Arrays.stream(weekdays.split(",")).map(WeekNumberTest::day).toList());
        List<Integer> listed = java.util.Arrays.stream(weekNumbers.split(",")).map(Integer::parseInt).toList();
        List<Instant> out = new ArrayList<>();
        for (LocalDate d = LocalDate.ofInstant(AFTER, ZoneOffset.UTC); !d.isAfter(UNTIL); d = d.plusDays(1)) {
            if (!days.contains(d.getDayOfWeek())) {
                continue;
            }
            // Week 1 of year Y is the week (starting on WKST) that holds January 4th: it is the first with
            // at least four days of Y. The date's week-year is the Y whose week 1 starts last on or before it.
            int year = d.getYear() + 1;
            while (weekOneStart(year, weekStart).isAfter(d)) {
                year--;
            }
            int week = (int) ChronoUnit.DAYS.between(weekOneStart(year, weekStart), d) / 7 + 1;
            int weeksInYear = (int) ChronoUnit.DAYS.between(weekOneStart(year, weekStart), weekOneStart(year + 1, weekStart)) / 7;
            int negative = week - weeksInYear - 1;
            if (listed.contains(week) || listed.contains(negative)) {
                out.add(d.atTime(9, 0).toInstant(ZoneOffset.UTC));
            }
        }
        return out;
    }

    private static LocalDate weekOneStart(int year, DayOfWeek weekStart) {
        LocalDate jan4 = LocalDate.of(year, 1, 4);
        return jan4.minusDays((jan4.getDayOfWeek().getValue() - weekStart.getValue() + 7) % 7);
    }

    private static DayOfWeek day(String twoLetters) {
        return List.of(DayOfWeek.values()).stream().filter(d -> d.name().startsWith(twoLetters)).findFirst().orElseThrow();
    }
}
