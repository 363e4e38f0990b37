package io.ordinaut.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.NodeTestSupport;

/** Zones are accepted in any letter case and stored, echoed and shared in their canonical IANA spelling. */
class TimezoneSpellingTest extends NodeTestSupport {

    private static Map<String, Object> task(String zone) {
        Map<String, Object> t = new HashMap<>();
        t.put("title", "zone " + zone);
        t.put("schedule_kind", "cron");
        t.put("schedule_expr", "0 5 * * *");
        t.put("timezone", zone);
        t.put("payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
        return t;
    }

    @Test
    void a_zone_in_any_case_is_stored_and_echoed_canonically_and_shares_its_schedule() {
        // given tasks created with the zone in two spellings
        String lower = api.post("/tasks", task("europe/paris")).expect(201).string("id");
        String canonical = api.post("/tasks", task("Europe/Paris")).expect(201).string("id");

        // then both store and echo the canonical spelling and fire with one shared schedule
        assertThat(api.get("/tasks/" + lower).expect(200).get("timezone")).isEqualTo("Europe/Paris");
        assertThat(api.get("/tasks/" + lower + "/preview?count=1").expect(200).get("timezone")).isEqualTo("Europe/Paris");
        assertThat(jdbc.sql("SELECT count(DISTINCT schedule_id) FROM task WHERE id IN (CAST(:a AS uuid), CAST(:b AS uuid))")
                .param("a", lower).param("b", canonical).query(Integer.class).single()).isEqualTo(1);

        // and an update and a batch do the same
        assertThat(api.put("/tasks/" + canonical, Map.of("timezone", "asia/TOKYO")).expect(200).get("timezone")).isEqualTo("Asia/Tokyo");
        io.ordinaut.support.Api.Response batch = api.post("/tasks/batch", Map.of("tasks", List.of(task("utc"))));
        assertThat(batch.status()).as(batch.body()).isBetween(200, 299);
        Map<?, ?> result = (Map<?, ?>) ((List<?>) batch.get("results")).get(0);
        assertThat(((Map<?, ?>) result.get("task")).get("timezone")).isEqualTo("UTC");
    }

    @Test
    void schedule_preview_echoes_the_canonical_zone() {
        assertThat(api.post("/schedules/preview", Map.of("schedule_kind", "cron", "schedule_expr", "0 5 * * *", "timezone", "utc",
                "count", 1)).expect(200).get("timezone")).isEqualTo("UTC");
        assertThat(api.post("/schedules/preview", Map.of("schedule_kind", "cron", "schedule_expr", "0 5 * * *",
                "timezone", "america/new_york", "count", 1)).expect(200).get("timezone")).isEqualTo("America/New_York");
    }
}
