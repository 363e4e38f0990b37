package io.ordinaut.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;

/** A schedule with no occurrence left completes its tasks, and its trigger and schedule row go away. */
class ScheduleCompletionTest extends NodeTestSupport {

    @Autowired
    TriggerProperties mode;

    static Map<String, Object> task(String kind, String expr) {
        return Map.of("title", kind + " task", "schedule_kind", kind, "schedule_expr", expr,
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
    }

    @Test
    void once_and_counted_rrule_tasks_fire_their_occurrences_then_complete() throws Exception {
        Instant at = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS);
        String once = api.post("/tasks", task("once", at.toString())).expect(201).string("id");
        // Anchored at midnight of the day (no DTSTART): 2,000 minutes outlast any time of day the test runs at
        // (1,000 ended at 16:39 UTC, and the create was refused after that).
        String counted = api.post("/tasks", task("rrule", "FREQ=MINUTELY;COUNT=2000"))
                .expect(201).string("id");
        String bounded = api.post("/tasks", Map.of("title", "bounded", "schedule_kind", "interval", "schedule_expr", "PT1S",
                "end_at", at.plusSeconds(1).toString(),
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))))).expect(201).string("id");

        awaitStatus(once, "completed");
        awaitStatus(bounded, "completed");
        assertThat(runs(once)).containsExactly(at);
        assertThat(runs(bounded)).isNotEmpty().allMatch(i -> !i.isAfter(at.plusSeconds(1)));
        assertThat(api.get("/tasks/" + once).get("next_run_at")).isNull();
        assertThat(api.get("/tasks/" + counted).get("status")).isEqualTo("active");
        Eventually.untilAsserted("ended schedules removed", () -> {
            long schedules = jdbc.sql("SELECT count(*) FROM schedule").query(Long.class).single();
            long triggers = jdbc.sql("SELECT count(*) FROM qrtz_triggers").query(Long.class).single();
            assertThat(schedules).as("only the counted rule's schedule is left").isOne();
            // per-schedule: the counted rule's trigger; windows: the window triggers, none per schedule
            assertThat(triggers).isEqualTo(mode.windows() ? mode.groups() : 1);
        });

        api.post("/tasks/" + once + "/run_now", "{}").expect(200);
        api.post("/tasks/" + once + "/resume", "{}").expect(409);
    }

    @Test
    void many_once_schedules_ending_together_complete_all_their_tasks_after_one_run_each() throws Exception {
        // given 300 distinct once schedules (distinct by their grace) all due at one instant (far enough
        // ahead for a slow batch on a loaded machine: none may end before they are all read back)
        Instant at = Instant.now().plusSeconds(45).truncatedTo(ChronoUnit.SECONDS);
        List<Map<String, Object>> tasks = java.util.stream.IntStream.range(0, 300)
                .mapToObj(i -> Map.<String, Object>of("title", "burst " + i, "schedule_kind", "once", "schedule_expr", at.toString(),
                        "misfire_grace_seconds", 60 + i, "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run")))))
                .toList();
        api.post("/tasks/batch", Map.of("tasks", tasks)).expect(200);
        assertThat(Instant.now()).as("created before the instant").isBefore(at);
        List<java.util.UUID> schedules = jdbc.sql("SELECT DISTINCT schedule_id FROM task WHERE title LIKE 'burst %'")
                .query(java.util.UUID.class).list();
        assertThat(schedules).hasSize(300);

        // when the instant passes, then every task ran once for it and was completed, and every schedule went
        Thread.sleep(Math.max(0, java.time.Duration.between(Instant.now(), at).toMillis()));
        Eventually.untilAsserted("all burst tasks completed and their schedules removed", () -> {
            assertThat(jdbc.sql("SELECT count(*) FROM task WHERE title LIKE 'burst %' AND status = 'completed' AND schedule_id IS NULL")
                    .query(Long.class).single()).isEqualTo(300);
            assertThat(jdbc.sql("SELECT count(*) FROM schedule WHERE id = ANY (CAST(:ids AS uuid[]))")
                    .param("ids", schedules.stream().map(java.util.UUID::toString).collect(java.util.stream.Collectors.joining(",", "{", "}")))
                    .query(Long.class).single()).isZero();
        });
        Eventually.untilAsserted("one run of each burst task recorded, for the instant", () -> {
            Map<String, Object> runs = jdbc.sql("""
                    SELECT count(*) AS runs, count(DISTINCT task_id) AS tasks, count(*) FILTER (WHERE scheduled_for <> :at) AS other
                      FROM task_run WHERE trigger = 'schedule' AND task_id IN (SELECT id FROM task WHERE title LIKE 'burst %')""")
                    .param("at", java.sql.Timestamp.from(at)).query().singleRow();
            assertThat(runs).containsEntry("runs", 300L).containsEntry("tasks", 300L).containsEntry("other", 0L);
        });
    }

    private List<Instant> runs(String taskId) {
        return jdbc.sql("SELECT scheduled_for FROM task_run WHERE task_id = CAST(:id AS uuid) AND trigger = 'schedule' ORDER BY scheduled_for")
                .param("id", taskId).query(java.sql.Timestamp.class).list().stream().map(java.sql.Timestamp::toInstant).toList();
    }

    private void awaitStatus(String taskId, String status) {
        Eventually.untilAsserted("task " + taskId + " " + status + " after a run", () -> {
            assertThat(api.get("/tasks/" + taskId).get("status")).as("status of task %s", taskId).isEqualTo(status);
            assertThat(runs(taskId)).as("runs of task %s", taskId).isNotEmpty();
        });
    }
}
