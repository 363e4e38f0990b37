package io.ordinaut.schedule;

import static io.ordinaut.schedule.Fixtures.rrule;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * COUNT rules of several periods a day are counted a date at a time when no checkpoint is near: after a
 * restart, on another node, or once other rules pushed theirs out of the shared checkpoints.
 */
class CountByDayTest {

    /** The rules the tests below ask about, each with a DTSTART no other test uses (checkpoints are shared). */
    private static final String EVERY_TEN_MINUTES = "FREQ=SECONDLY;BYMINUTE=0,10,20,30,40,50;COUNT=999999999";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // no time filter (a day's periods are counted at once), in hour blocks, minute blocks, second bits
            "DTSTART:20260301T000000Z\\nRRULE:FREQ=SECONDLY;INTERVAL=13;BYHOUR=0;COUNT=20000 | UTC",
            "DTSTART;TZID=Europe/London:20260320T000000\\nRRULE:FREQ=SECONDLY;BYSECOND=0,30;COUNT=15000 | UTC",
            "DTSTART:20260301T101010\\nRRULE:FREQ=SECONDLY;INTERVAL=7;BYMINUTE=0,1,2,30;BYSECOND=0,5,10,59;COUNT=12000 | UTC",
            // a period over a minute: at most one a minute
            "DTSTART:20260301T000003\\nRRULE:FREQ=SECONDLY;INTERVAL=61;BYHOUR=0,5,23;BYSECOND=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20;COUNT=5000 | UTC",
            // few periods a day: each looked at, on the weekdays listed
            "DTSTART:20260301T000000\\nRRULE:FREQ=SECONDLY;INTERVAL=1500;BYDAY=MO,WE,FR;BYHOUR=1,3,5,7,9,11,13;COUNT=3000 | UTC",
            // DST in the expansion zone; a DTSTART within its minute whose first period keeps only part
            "DTSTART;TZID=Europe/Paris:20260301T013000\\nRRULE:FREQ=MINUTELY;INTERVAL=7;BYHOUR=1,2,3;COUNT=4000 | Europe/Paris",
            "DTSTART:20260301T090030\\nRRULE:FREQ=MINUTELY;BYMINUTE=0,15,59;BYSECOND=10,20;BYSETPOS=-1;COUNT=3000 | UTC",
            "DTSTART:20260301T090010\\nRRULE:FREQ=MINUTELY;BYMINUTE=0,15,59;BYSECOND=10,20;COUNT=3000 | UTC",
            "DTSTART;TZID=Australia/Sydney:20260301T000000\\nRRULE:FREQ=MINUTELY;INTERVAL=13;BYDAY=SU,MO;BYHOUR=2,3;COUNT=3000 | UTC",
            "DTSTART;TZID=America/New_York:20261020T000000\\nRRULE:FREQ=HOURLY;BYHOUR=1,2;COUNT=300 | UTC",
            "DTSTART:20260301T013517\\nRRULE:FREQ=HOURLY;INTERVAL=3;BYHOUR=1,4,7,22;COUNT=2000 | UTC",
            "DTSTART:20260301T090000\\nRRULE:FREQ=HOURLY;INTERVAL=5;BYMONTHDAY=1,15,-1;BYHOUR=4,9,14,19;BYMINUTE=0,30;BYSETPOS=1;COUNT=400 | UTC",
    })
    void counting_by_day_answers_as_the_replay_from_dtstart(String expression, String zone) {
        String text = expression.replace("\\n", "\n");
        // given every occurrence, read in one pass from DTSTART (never counted by day)
        List<Instant> all = rrule(text, zone).occurrencesAfter(Instant.parse("2000-01-01T00:00:00Z"), 20_000);
        assertThat(all).hasSizeGreaterThan(250);
        int n = all.size();
        for (int i : new int[] {n / 2, n - 3, n / 3, 1, n / 2 + 1, n * 3 / 4, n - 1, n / 4, n * 3 / 4 + 7, 2, n / 7}) {
            // when a node without checkpoints asks after one of them, or between two
            DailyAndFinerSequence.forgetCheckpoints();
            assertThat(rrule(text, zone).occurrencesAfter(all.get(i - 1), 3))
                    .as("after occurrence %d", i - 1)
                    .containsExactlyElementsOf(all.subList(i, Math.min(n, i + 3)));
            DailyAndFinerSequence.forgetCheckpoints();
            Instant between = all.get(i - 1).plus(Duration.between(all.get(i - 1), all.get(i)).dividedBy(2));
            assertThat(rrule(text, zone).nextAfter(between)).as("between occurrences %d and %d", i - 1, i).contains(all.get(i));
        }
        // then past the last occurrence there is none, however long after
        DailyAndFinerSequence.forgetCheckpoints();
        assertThat(rrule(text, zone).nextAfter(all.get(n - 1))).isEmpty();
        DailyAndFinerSequence.forgetCheckpoints();
        assertThat(rrule(text, zone).nextAfter(all.get(n - 1).plus(Duration.ofDays(400)))).isEmpty();
    }

    @Test
    void a_rule_pushed_out_of_the_checkpoints_by_thousands_of_others_is_counted_by_day_not_replayed() {
        // given a rule whose next occurrence a node found, 30 days after its DTSTART
        LocalDateTime start = LocalDateTime.parse("2033-04-05T06:07:08");
        LocalDateTime now = start.plusDays(30);
        DailyAndFinerSequence first = sequence(EVERY_TEN_MINUTES, start);
        assertThat(first.from(now).next()).isEqualTo(LocalDateTime.parse("2033-05-05T06:10:00"));

        // when more COUNT rules than the checkpoints keep are expanded (one agent may own 10,000 tasks)
        for (int i = 0; i < 5_000; i++) {
            DailyAndFinerSequence other = sequence("FREQ=SECONDLY;COUNT=" + (i + 1), start);
            assertThat(other.from(start).next()).isEqualTo(start);
        }

        // then the rule's next expansion answers, counting by day instead of replaying 30 days of seconds
        DailyAndFinerSequence again = sequence(EVERY_TEN_MINUTES, start);
        assertThat(again.from(now.plusMinutes(20)).next()).isEqualTo(LocalDateTime.parse("2033-05-05T06:30:00"));
        // (about 300 steps: 30 dates, and the minutes of two of them; a replay looks at 8,640 seconds a day)
        assertThat(again.periodsVisited.get()).isLessThan(1_000);
    }

    @Test
    void a_node_without_checkpoints_counts_a_year_old_secondly_rule_in_a_step_a_day() {
        // given a rule counted from a year back, on a node that has no checkpoint of it (just started)
        LocalDateTime start = LocalDateTime.parse("2034-01-02T03:04:05");
        DailyAndFinerSequence.forgetCheckpoints();
        DailyAndFinerSequence sequence = sequence("FREQ=SECONDLY;COUNT=999999999", start);

        // when asked about now, then about a year later
        LocalDateTime now = start.plusYears(1);
        assertThat(sequence.from(now).next()).isEqualTo(now);
        long afterOneYear = sequence.periodsVisited.get();
        DailyAndFinerSequence.forgetCheckpoints();
        DailyAndFinerSequence later = sequence("FREQ=SECONDLY;COUNT=999999999", start);
        assertThat(later.from(now.plusYears(1)).next()).isEqualTo(now.plusYears(1));

        // then each takes about a step a day since DTSTART, not one per second (31,536,000 a year)
        assertThat(afterOneYear).isLessThan(400);
        assertThat(later.periodsVisited.get()).isLessThan(800);
    }

    @Test
    void counting_by_day_ends_the_rule_where_its_count_runs_out() {
        // given 120 occurrences a day (every second of 00:00:00-00:01:59) for 30 days
        LocalDateTime start = LocalDateTime.parse("2035-06-01T00:00:00");
        String rule = "FREQ=SECONDLY;BYHOUR=0;BYMINUTE=0,1;COUNT=3600";
        LocalDateTime lastDay = start.plusDays(29);

        // when nodes without checkpoints ask about the 30th day and after, then its 00:01:59 is the last
        DailyAndFinerSequence.forgetCheckpoints();
        assertThat(sequence(rule, start).from(lastDay).next()).isEqualTo(lastDay);
        DailyAndFinerSequence.forgetCheckpoints();
        assertThat(sequence(rule, start).from(lastDay.plusSeconds(119)).next()).isEqualTo(lastDay.plusSeconds(119));
        DailyAndFinerSequence.forgetCheckpoints();
        assertThat(sequence(rule, start).from(lastDay.plusSeconds(120)).next()).isNull();
        DailyAndFinerSequence.forgetCheckpoints();
        assertThat(sequence(rule, start).from(lastDay.plusDays(10)).next()).isNull();
    }

    private static DailyAndFinerSequence sequence(String rule, LocalDateTime start) {
        return (DailyAndFinerSequence) RecurrenceRuleText.parse(rule).expand(start);
    }
}
