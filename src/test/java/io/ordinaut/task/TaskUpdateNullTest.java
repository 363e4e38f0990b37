package io.ordinaut.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;

/** PUT /tasks/{id}: JSON null resets an optional field to its documented default; required fields refuse it. */
class TaskUpdateNullTest extends NodeTestSupport {

    private String createdTask() {
        Map<String, Object> t = new HashMap<>();
        t.put("title", "nulls");
        t.put("description", "to be cleared");
        t.put("schedule_kind", "cron");
        t.put("schedule_expr", "0 9 * * *");
        t.put("timezone", "Asia/Tokyo");
        t.put("payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
        t.put("priority", 2);
        t.put("max_retries", 7);
        t.put("backoff_strategy", "linear");
        t.put("dedupe_key", "k1");
        t.put("dedupe_window_seconds", 60);
        t.put("concurrency_key", "c1");
        t.put("misfire_grace_seconds", 60);
        t.put("jitter_seconds", 10);
        t.put("start_at", Instant.now().plusSeconds(60).toString());
        t.put("end_at", Instant.now().plusSeconds(400 * 86_400L).toString());
        t.put("overlap_policy", "queue");
        t.put("run_timeout_seconds", 30);
        t.put("concurrency_limit", 3);
        return api.post("/tasks", t).expect(201).string("id");
    }

    @Test
    void null_resets_every_optional_field_to_its_default_and_replans_in_utc() {
        // given a task with every optional field set, its cron read in Tokyo
        String id = createdTask();

        // when each optional field is set to null
        Map<String, Object> nulls = new LinkedHashMap<>();
        for (String field : List.of("description", "timezone", "priority", "max_retries", "backoff_strategy", "dedupe_key",
                "dedupe_window_seconds", "concurrency_key", "misfire_grace_seconds", "jitter_seconds", "start_at", "end_at",
                "overlap_policy", "run_timeout_seconds", "concurrency_limit")) {
            nulls.put(field, null);
        }
        Response updated = api.put("/tasks/" + id, nulls).expect(200);

        // then each is back to its default, and the schedule fires at 09:00 UTC
        Map<String, Object> expected = new HashMap<>();
        expected.put("description", "");
        expected.put("timezone", "UTC");
        expected.put("priority", 5);
        expected.put("max_retries", 3);
        expected.put("backoff_strategy", "exponential_jitter");
        expected.put("dedupe_key", null);
        expected.put("dedupe_window_seconds", null);
        expected.put("concurrency_key", null);
        expected.put("misfire_grace_seconds", 3600);
        expected.put("jitter_seconds", 0);
        expected.put("start_at", null);
        expected.put("end_at", null);
        expected.put("overlap_policy", "skip");
        expected.put("run_timeout_seconds", null);
        expected.put("concurrency_limit", 1);
        assertThat(updated.map()).containsAllEntriesOf(expected);
        assertThat(api.get("/tasks/" + id).expect(200).map()).containsAllEntriesOf(expected);
        assertThat(updated.string("next_run_at")).endsWith("T09:00:00Z");
        assertThat(api.get("/tasks/" + id + "/preview?count=2").expect(200).map())
                .containsEntry("timezone", "UTC")
                .satisfies(p -> assertThat((List<?>) p.get("occurrences")).allSatisfy(o -> assertThat(o.toString()).endsWith("T09:00:00Z")));
    }

    @Test
    void clearing_the_dedupe_key_clears_its_window() {
        String id = createdTask();

        Response updated = api.put("/tasks/" + id, new HashMap<>(Map.of())).expect(200);
        assertThat(updated.get("dedupe_window_seconds")).isEqualTo(60);
        Map<String, Object> clear = new HashMap<>();
        clear.put("dedupe_key", null);
        updated = api.put("/tasks/" + id, clear).expect(200);

        assertThat(updated.map()).containsEntry("dedupe_key", null).containsEntry("dedupe_window_seconds", null);
    }

    @Test
    void required_fields_and_created_by_refuse_null_and_a_window_cannot_come_with_a_cleared_key() {
        String id = createdTask();

        for (String field : List.of("title", "schedule_kind", "schedule_expr", "payload", "created_by")) {
            Map<String, Object> body = new HashMap<>();
            body.put(field, null);
            Response r = api.put("/tasks/" + id, body).expect(400);
            assertThat(r.get("error")).as(field).isEqualTo("ValidationError");
            assertThat(r.details()).as(field).containsEntry("field", field);
        }
        Map<String, Object> body = new HashMap<>();
        body.put("dedupe_key", null);
        body.put("dedupe_window_seconds", 30);
        Response r = api.put("/tasks/" + id, body).expect(400);
        assertThat(r.details()).containsEntry("field", "dedupe_window_seconds");
        assertThat(r.string("message")).contains("dedupe_key");
        assertThat(api.get("/tasks/" + id).expect(200).map()).containsEntry("dedupe_key", "k1").containsEntry("title", "nulls");
    }
}
