package io.ordinaut.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.NodeTestSupport;

/**
 * A task joining a shared schedule (windows mode) gets the occurrences the schedule already enqueued ahead
 * after the task's start — by a single create and by a batch. A join skips that enqueue only when the
 * schedule's enqueued_through shows nothing was enqueued after the task's start; these tests fail if it
 * skips it wrongly.
 */
class LateJoinTest extends NodeTestSupport {

    @Test
    void tasks_joining_a_schedule_get_the_occurrence_it_enqueued_ahead_at_its_creation() {
        // An occurrence inside the horizon (10 s): the first task's creation enqueues it at once.
        Instant occurrence = Instant.now().plusSeconds(9).truncatedTo(ChronoUnit.SECONDS);
        Map<String, Object> body = task(occurrence, 3001);
        String first = api.post("/tasks", body).expect(201).string("id");
        assertThat(runsOf(first, occurrence)).isEqualTo(1);

        String second = api.post("/tasks", body).expect(201).string("id");
        Map<String, Object> batch = Map.of("tasks", List.of(body, body), "atomic", true);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) api.post("/tasks/batch", batch).expect(200).get("results");
        List<String> batched = results.stream().map(r -> (String) ((Map<?, ?>) r.get("task")).get("id")).toList();

        assertThat(scheduleOf(second)).isEqualTo(scheduleOf(first));
        assertThat(runsOf(second, occurrence)).isEqualTo(1);
        assertThat(batched).hasSize(2);
        for (String id : batched) {
            assertThat(scheduleOf(id)).isEqualTo(scheduleOf(first));
            assertThat(runsOf(id, occurrence)).isEqualTo(1);
        }
    }

    @Test
    void a_task_joining_after_the_enqueued_occurrences_gets_none_of_them_and_the_next_one_later() {
        // Nothing inside the horizon: the schedule enqueued nothing ahead, and a joiner gets nothing now.
        Instant occurrence = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        Map<String, Object> body = task(occurrence, 3002);
        String first = api.post("/tasks", body).expect(201).string("id");
        String second = api.post("/tasks", body).expect(201).string("id");

        assertThat(scheduleOf(second)).isEqualTo(scheduleOf(first));
        assertThat(jdbc.sql("SELECT enqueued_through IS NULL FROM schedule WHERE id = :id").param("id", scheduleOf(first))
                .query(Boolean.class).single()).isTrue();
        assertThat(runsOf(first, occurrence) + runsOf(second, occurrence)).isZero();
    }

    private static Map<String, Object> task(Instant start, int grace) {
        return Map.of("title", "late join", "schedule_kind", "interval", "schedule_expr", "PT1H",
                "start_at", start.toString(), "misfire_grace_seconds", grace,
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
    }

    private UUID scheduleOf(String taskId) {
        return jdbc.sql("SELECT schedule_id FROM task WHERE id = CAST(:id AS uuid)").param("id", taskId).query(UUID.class).single();
    }

    /** Runs of the task for the occurrence, queued or (should the executors have been quick) recorded. */
    private int runsOf(String taskId, Instant occurrence) {
        return jdbc.sql("""
                SELECT (SELECT count(*) FROM due_work WHERE task_id = CAST(:id AS uuid) AND scheduled_for = :at)
                     + (SELECT count(DISTINCT run_id) FROM task_run WHERE task_id = CAST(:id AS uuid) AND scheduled_for = :at)
                """).param("id", taskId).param("at", java.sql.Timestamp.from(occurrence)).query(Integer.class).single();
    }
}
