package io.ordinaut.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.NodeTestSupport;
import io.ordinaut.support.Api.Response;

/** Previews at the calendar's extremes: local mean time offsets, the year 1, rules that fire once in decades. */
class ScheduleExtremesApiTest extends NodeTestSupport {

    static Map<String, Object> preview(String kind, String expr, String zone, String after, int count) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("schedule_kind", kind);
        body.put("schedule_expr", expr);
        body.put("timezone", zone);
        body.put("after", after);
        body.put("count", count);
        return body;
    }

    @SuppressWarnings("unchecked")
    private List<String> occurrences(Map<String, Object> body) {
        return (List<String>) api.post("/schedules/preview", body).expect(200).get("occurrences");
    }

    @Test
    void an_offset_with_seconds_is_shown_whole_and_reads_back_as_the_instant_that_fires() {
        // given Monrovia, whose offset was -0:44:30 until 1972-01-07 (IANA tzdata)
        Map<String, Object> body = preview("cron", "0 12 * * *", "Africa/Monrovia", "1971-06-01T00:00:00Z", 2);

        // when its noons are previewed
        List<String> noons = occurrences(body);

        // then they show the whole offset, so the text is the instant 12:44:30Z
        assertThat(noons).containsExactly("1971-06-01T12:00:00-00:44:30", "1971-06-02T12:00:00-00:44:30");
        assertThat(OffsetDateTime.parse(noons.get(0)).toInstant()).isEqualTo(Instant.parse("1971-06-01T12:44:30Z"));
        // and an occurrence given back as `after` (exclusive) is followed by the next one, not by itself
        assertThat(occurrences(preview("cron", "0 12 * * *", "Africa/Monrovia", noons.get(0), 1)))
                .containsExactly("1971-06-02T12:00:00-00:44:30");
        assertThat(occurrences(preview("rrule", "FREQ=DAILY;BYHOUR=12", "Europe/Dublin", "1915-06-01T00:00:00Z", 1)))
                .containsExactly("1915-06-01T12:00:00-00:25:21");
    }

    @Test
    void a_rule_previewed_from_the_first_instant_of_the_year_one_starts_in_the_year_one() {
        // given New York's local mean time (-4:56:02): 0001-01-01T00:00:00Z is 0000-12-31T19:03:58 there
        String after = "0001-01-01T00:00:00Z";

        // when daily and monthly rules anchored then are previewed, then they start at the next local midnight
        assertThat(occurrences(preview("rrule", "FREQ=DAILY", "America/New_York", after, 3))).containsExactly(
                "0001-01-01T00:00:00-04:56:02", "0001-01-02T00:00:00-04:56:02", "0001-01-03T00:00:00-04:56:02");
        assertThat(occurrences(preview("rrule", "FREQ=MONTHLY", "America/New_York", after, 2)))
                .containsExactly("0001-01-31T00:00:00-04:56:02", "0001-03-31T00:00:00-04:56:02");
        // as cron does
        assertThat(occurrences(preview("cron", "0 0 * * *", "America/New_York", after, 1)))
                .containsExactly("0001-01-01T00:00:00-04:56:02");
    }

    @Test
    void sub_daily_rules_are_followed_across_centuries_without_an_occurrence() {
        // given rules whose periods repeat their place in the calendar only after thousands of years
        String every1002Minutes = "DTSTART:20261201T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=1002;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;BYHOUR=23";
        String secondly = "DTSTART:20261201T000000Z\nRRULE:FREQ=SECONDLY;INTERVAL=999999937;BYSECOND=0";

        // when previewed, then their occurrences (see SubDailyHorizonTest for the arithmetic) are listed
        assertThat(occurrences(preview("rrule", every1002Minutes, "UTC", "2026-12-01T00:00:00Z", 2)))
                .containsExactly("2608-02-29T23:12:00Z", "2664-02-29T23:42:00Z");
        assertThat(occurrences(preview("rrule", secondly, "UTC", "2026-12-01T00:00:00Z", 2)))
                .containsExactly("3928-03-29T09:37:00Z", "5829-07-25T19:14:00Z");
        // and a task created now is planned at the next one, not refused as never firing
        assertThat(api.post("/tasks", TaskApiTest.task("rrule", secondly)).expect(201).string("next_run_at"))
                .isEqualTo("3928-03-29T09:37:00Z");
    }

    @Test
    void daily_rules_for_a_weekday_on_29_february_are_previewed_not_refused() {
        // given Feb 29 on a Tuesday (2028, 2056) and on a Monday (2044, 2072): see SparseDailyRuleTest
        String tuesdays = "DTSTART:20280201T000000Z\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=TU";

        // when previewed, then they list those days
        assertThat(occurrences(preview("rrule", tuesdays, "UTC", "2026-12-01T00:00:00Z", 2)))
                .containsExactly("2028-02-29T00:00:00Z", "2056-02-29T00:00:00Z");
        assertThat(occurrences(preview("rrule", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", "UTC", "2026-12-01T00:00:00Z", 2)))
                .containsExactly("2044-02-29T00:00:00Z", "2072-02-29T00:00:00Z");
        // and one that never fires is still a 400 naming schedule_expr
        assertThat(api.post("/schedules/preview", preview("rrule", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "UTC",
                "2026-12-01T00:00:00Z", 2)).expect(400).details()).containsEntry("field", "schedule_expr");
    }

    @Test
    void count_rules_that_would_replay_too_many_periods_since_dtstart_are_refused_where_defined() {
        // given a rule with COUNT (every minute) whose DTSTART is in 1700: ~119,000 dates to count
        DateTimeFormatter ical = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant oldStart = Instant.parse("1700-01-01T00:00:00Z");
        String old = "DTSTART:" + ical.format(oldStart) + "\nRRULE:FREQ=SECONDLY;BYSECOND=0;COUNT=999999999";
        // (three days back is fine: rules with several periods a day are counted a date at a time)
        String recent = "DTSTART:" + ical.format(now.minus(3, ChronoUnit.DAYS)) + "\nRRULE:FREQ=SECONDLY;COUNT=999999999";

        // when previewed, created, created in a batch or set by an update, then each is a 400 naming schedule_expr
        Map<String, Object> body = new LinkedHashMap<>(Map.of("schedule_kind", "rrule", "schedule_expr", old, "count", 1));
        Response preview = api.post("/schedules/preview", body).expect(400);
        assertThat(preview.details()).containsEntry("field", "schedule_expr");
        assertThat(preview.string("message")).contains("DTSTART closer to now", "UNTIL");
        assertThat(api.post("/tasks", TaskApiTest.task("rrule", old)).expect(400).details())
                .containsEntry("field", "schedule_expr");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) api.post("/tasks/batch",
                Map.of("tasks", List.of(TaskApiTest.task("rrule", old)))).expect(200).get("results");
        assertThat(results).extracting(r -> r.get("status")).containsExactly(400);
        String id = api.post("/tasks", TaskApiTest.task("rrule", recent)).expect(201).string("id");
        assertThat(api.put("/tasks/" + id, Map.of("schedule_expr", old)).expect(400).details())
                .containsEntry("field", "schedule_expr");
        // and a SECONDLY rule from three days ago is planned to the second
        Instant next = Instant.parse(api.get("/tasks/" + id).expect(200).string("next_run_at"));
        assertThat(next).isAfter(now.minusSeconds(1));
        // and a preview of an old DTSTART asked about a time near it is answered
        body.put("after", oldStart.plusSeconds(10).toString());
        assertThat(occurrences(body)).hasSize(1);
        api.delete("/tasks/" + id).expect(200);
    }
}
