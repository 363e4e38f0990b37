package io.ordinaut.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;

/**
 * Instants beyond the year 9999: refused with a 400 naming the field — they used to reach PostgreSQL as
 * "+10000-…" text and fail the statement (500) — and an occurrence past 9999 is no occurrence.
 */
class FarFutureInstantsTest extends NodeTestSupport {

    private static Map<String, Object> task(String kind, String expr) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", "far future");
        body.put("schedule_kind", kind);
        body.put("schedule_expr", expr);
        body.put("payload", Map.of("pipeline", List.of(Map.of("id", "a", "uses", "noop.run"))));
        return body;
    }

    private static Map<String, Object> withStart(String startAt) {
        Map<String, Object> body = task("cron", "0 9 * * *");
        body.put("start_at", startAt);
        return body;
    }

    @ParameterizedTest
    @ValueSource(strings = {"+10000-01-01T00:00:00Z", "9999-12-31T23:59:59-05:00", "+999999999-12-31T23:59:59Z", "-0001-01-01T00:00:00Z"})
    void aStartBeyondTheHorizonIsRefused(String startAt) {
        long tasks = count();
        Response refused = api.post("/tasks", withStart(startAt)).expect(400);
        assertThat(refused.get("error")).isEqualTo("ValidationError");
        assertThat(refused.details()).containsEntry("field", "start_at");
        assertThat(count()).isEqualTo(tasks);
    }

    @ParameterizedTest
    @ValueSource(strings = {"+10000-01-01T00:00:00Z", "9999-12-31T23:59:59-05:00", "+999999999-12-31T23:59:59Z", "+999999999-12-31T23:59:59"})
    void aOnceBeyondTheHorizonIsRefused(String at) {
        Response refused = api.post("/tasks", task("once", at)).expect(400);
        assertThat(refused.details()).containsEntry("field", "schedule_expr");
    }

    /** A year of five digits without ISO-8601's sign is refused as outside the years, as "+10000-…" is. */
    @ParameterizedTest
    @ValueSource(strings = {"10000-01-01T00:00:00Z", "10000-01-01T00:00:00"})
    void aFiveDigitYearWithoutItsSignIsRefusedAsOutsideTheYears(String at) {
        Response once = api.post("/tasks", task("once", at)).expect(400);
        assertThat(once.details()).containsEntry("field", "schedule_expr");
        assertThat(once.string("message")).contains("outside the years 1–9999");
        Map<String, Object> ending = task("cron", "0 9 * * *");
        ending.put("end_at", "10000-01-01T00:00:00Z");
        Response end = api.post("/tasks", ending).expect(400);
        assertThat(end.details()).containsEntry("field", "end_at");
        assertThat(end.string("message")).contains("must be between");
        Response after = api.post("/schedules/preview", Map.of("schedule_kind", "cron", "schedule_expr", "0 9 * * *",
                "after", "10000-01-01T00:00:00Z")).expect(400);
        assertThat(after.details()).containsEntry("field", "after");
        assertThat(after.string("message")).contains("must be between");
        // and a text that is no date-time with or without the sign is still said to be none
        assertThat(api.post("/tasks", task("once", "10000-13-01T00:00:00Z")).expect(400).string("message"))
                .contains("is not an ISO-8601 date-time");
    }

    /** The last day of 9999 still has its 09:00; after it there is none, and that is said as for any schedule that has ended. */
    @Test
    void theLastOccurrencesBeforeTheHorizonAreKeptAndNoneAfter() {
        Response kept = api.post("/tasks", withStart("9999-12-31T00:00:00Z")).expect(201);
        assertThat(kept.string("next_run_at")).isEqualTo("9999-12-31T09:00:00Z");

        Response none = api.post("/tasks", withStart("9999-12-31T23:59:59Z")).expect(400);
        assertThat(none.string("message")).contains("no occurrences after now").contains("9999");
    }

    @Test
    void aSnoozePastTheHorizonIsRefusedAndChangesNothing() {
        String id = api.post("/tasks", withStart("9999-12-31T00:00:00Z")).expect(201).string("id");
        Response refused = api.post("/tasks/" + id + "/snooze", Map.of("delay_seconds", 604_800)).expect(409);
        assertThat(refused.string("message")).contains("9999-12-31T23:59:59Z");
        assertThat(api.get("/tasks/" + id).expect(200).string("next_run_at")).isEqualTo("9999-12-31T09:00:00Z");
        api.post("/tasks/" + id + "/snooze", Map.of("delay_seconds", 3_600)).expect(200);
    }

    @Test
    void aBatchItemBeyondTheHorizonIsThatItemsError() {
        Map<String, Object> batch = Map.of("tasks", List.of(task("cron", "0 9 * * *"), withStart("+10000-01-01T00:00:00Z")));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) api.post("/tasks/batch", batch).expect(200).get("results");
        assertThat(results).extracting(r -> r.get("status")).containsExactly(201, 400);
    }

    @Test
    void anUpdateBeyondTheHorizonIsRefused() {
        String id = api.post("/tasks", task("cron", "0 9 * * *")).expect(201).string("id");
        Response refused = api.put("/tasks/" + id, Map.of("start_at", "+10000-01-01T00:00:00Z")).expect(400);
        assertThat(refused.details()).containsEntry("field", "start_at");
        Response kept = api.put("/tasks/" + id, Map.of("start_at", "9999-12-31T00:00:00Z")).expect(200);
        assertThat(kept.string("next_run_at")).isEqualTo("9999-12-31T09:00:00Z");
    }

    @Test
    void previewsAndFiltersBeyondTheHorizonAreRefused() {
        Response preview = api.post("/schedules/preview", Map.of("schedule_kind", "cron", "schedule_expr", "0 9 * * *",
                "after", "+999999999-12-31T10:00:00Z")).expect(400);
        assertThat(preview.details()).containsEntry("field", "after");
        Response last = api.post("/schedules/preview", Map.of("schedule_kind", "cron", "schedule_expr", "0 9 * * *",
                "after", "9999-12-30T10:00:00Z", "count", 5)).expect(200);
        assertThat(last.body()).contains("9999-12-31T09:00:00Z").doesNotContain("+10000");
        api.get("/runs?start_time=%2B10000-01-01T00:00:00Z").expect(400);
    }

    private long count() {
        return jdbc.sql("SELECT count(*) FROM task").query(Long.class).single();
    }
}
