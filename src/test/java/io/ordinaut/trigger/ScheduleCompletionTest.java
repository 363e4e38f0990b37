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
        String counted = api.post("/tasks", task("rrule", "FREQ=MINUTELY;COUNT=1000"))
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
