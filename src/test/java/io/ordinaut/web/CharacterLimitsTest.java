package io.ordinaut.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;

/**
 * Limits documented in characters count characters (code points), not UTF-16 units: an emoji outside the
 * Basic Multilingual Plane is one character, though Java's String.length() counts it twice.
 */
class CharacterLimitsTest extends NodeTestSupport {

    /** U+1F600, a surrogate pair in UTF-16. */
    private static final String EMOJI = "\uD83D\uDE00";

    private static String emojis(int count) {
        return EMOJI.repeat(count);
    }

    private static Map<String, Object> task(String key, Object value) {
        Map<String, Object> t = new HashMap<>();
        t.put("title", "limits");
        t.put("schedule_kind", "cron");
        t.put("schedule_expr", "0 9 * * *");
        t.put("payload", Map.of("pipeline", List.of()));
        t.put(key, value);
        return t;
    }

    private void refused(Response r, String field, int limit, int got) {
        assertThat(r.get("error")).isEqualTo("ValidationError");
        assertThat(r.details()).containsEntry("field", field);
        assertThat(r.string("message")).contains(limit + " characters long (got " + got + ")");
    }

    @Test
    void task_text_fields_count_characters_not_utf16_units() {
        Map<String, Integer> limits = Map.of("title", 200, "description", 2000, "dedupe_key", 200, "concurrency_key", 200);
        limits.forEach((field, limit) -> {
            Response created = api.post("/tasks", task(field, emojis(limit))).expect(201);
            assertThat(created.get(field)).as(field).isEqualTo(emojis(limit));
            refused(api.post("/tasks", task(field, emojis(limit + 1))).expect(400), field, limit, limit + 1);
            // an update checks the same way
            api.put("/tasks/" + created.string("id"), Map.of(field, emojis(limit))).expect(200);
            refused(api.put("/tasks/" + created.string("id"), Map.of(field, emojis(limit + 1))).expect(400), field, limit, limit + 1);
        });
    }

    @Test
    void a_snooze_reason_counts_characters() {
        String id = api.post("/tasks", task("title", "snoozed")).expect(201).string("id");
        api.post("/tasks/" + id + "/snooze", Map.of("delay_seconds", 60, "reason", emojis(500))).expect(200);
        refused(api.post("/tasks/" + id + "/snooze", Map.of("delay_seconds", 60, "reason", emojis(501))).expect(400),
                "reason", 500, 501);
    }

    @Test
    void an_agent_name_reports_its_length_in_characters() {
        // Names are ASCII letters, digits and . _ - only, so no emoji name is ever accepted; but the length,
        // checked first, is told in characters.
        String prefix = UUID.randomUUID().toString().substring(0, 8);
        refused(api.post("/agents", Map.of("name", prefix + emojis(93), "scopes", List.of("tasks:read"))).expect(400),
                "name", 100, 101);
    }

    @Test
    void an_expression_counts_characters() {
        // "payload.x == '" and "'" are 15 characters; the emojis fill the expression to the limit of 4,096
        String atLimit = "payload.x == '" + emojis(4096 - 15) + "'";
        Map<String, Object> task = task("schedule_kind", "event");
        task.put("schedule_expr", "limits.expression");
        task.put("payload", Map.of("pipeline", List.of(), "event_filter", atLimit));
        api.post("/tasks", task).expect(201);

        task.put("payload", Map.of("pipeline", List.of(), "event_filter", "payload.x == '" + emojis(4096 - 14) + "'"));
        Response over = api.post("/tasks", task).expect(400);
        assertThat(over.details()).containsEntry("field", "payload.event_filter");
        assertThat(over.string("message")).contains("expression of 4097 characters");
    }
}
