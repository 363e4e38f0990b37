package io.ordinaut.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.NodeTestSupport;

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
}
