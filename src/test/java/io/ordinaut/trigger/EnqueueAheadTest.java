package io.ordinaut.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.ordinaut.schedule.Schedule;
import io.ordinaut.schedule.ScheduleDefinition;
import io.ordinaut.schedule.ScheduleKind;
import io.ordinaut.schedule.Schedules;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;

/**
 * Quartz may fire a shared schedule's trigger ahead of its instant (batch acquisition). A task that
 * joins the schedule after that batch was enqueued, but before the instant, still gets the occurrence
 * exactly once; jitter and snooze shift run_at, never scheduled_for.
 */
class EnqueueAheadTest extends NodeTestSupport {

    private static final String RULE = "FREQ=SECONDLY;INTERVAL=10";

    @Autowired
    OccurrenceEnqueuer enqueuer;

    static Map<String, Object> task(String title, int jitter) {
        return Map.of("title", title, "schedule_kind", "rrule", "schedule_expr", RULE, "jitter_seconds", jitter,
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
    }

    @Test
    void a_task_joining_after_its_occurrence_was_enqueued_ahead_still_runs_it_exactly_once() throws Exception {
        Instant occurrence = nextOccurrenceAtLeast(Duration.ofSeconds(8));
        String first = api.post("/tasks", task("first", 0)).expect(201).string("id");
        String scheduleId = scheduleOf(first);
        Schedule schedule = Schedules.compile(new ScheduleDefinition(ScheduleKind.RRULE, RULE, Schedules.zone("UTC"),
                Instant.now(), null, null));

        // What the Quartz job does when it fires ahead of the instant.
        enqueuer.enqueue(java.util.UUID.fromString(scheduleId), occurrence, schedule, null, Instant.now(), 3600, false);
        String late = api.post("/tasks", task("late", 0)).expect(201).string("id");

        assertThat(scheduleOf(late)).isEqualTo(scheduleId);
        assertThat(queued(first, occurrence)).isOne();
        assertThat(queued(late, occurrence)).isOne();

        awaitRun(late, occurrence);
        awaitRun(first, occurrence);
        // and no second run of either appears afterwards
        Eventually.await("one run each for " + occurrence).during(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(runs(late, occurrence)).isOne();
            assertThat(runs(first, occurrence)).isOne();
        });
    }

    @Test
    void jitter_and_snooze_delay_run_at_but_keep_the_scheduled_instant() {
        String jittered = api.post("/tasks", task("jittered", 3)).expect(201).string("id");
        String snoozed = api.post("/tasks", task("snoozed", 0)).expect(201).string("id");
        // The occurrence the snooze moved, not next_run_at read before it: the instant may pass in between.
        Instant next = Instant.parse((String) api.post("/tasks/" + snoozed + "/snooze", Map.of("delay_seconds", 7))
                .expect(200).details().get("snoozed_occurrence"));
        String scheduleId = scheduleOf(jittered);
        Schedule schedule = Schedules.compile(new ScheduleDefinition(ScheduleKind.RRULE, RULE, Schedules.zone("UTC"),
                Instant.now(), null, null));

        enqueuer.enqueue(java.util.UUID.fromString(scheduleId), next, schedule, null, Instant.now(), 3600, false);

        Instant jitteredRunAt = runAt(jittered, next);
        assertThat(Duration.between(next, jitteredRunAt)).isBetween(Duration.ZERO, Duration.ofSeconds(3));
        assertThat(runAt(snoozed, next)).isEqualTo(next.plusSeconds(7));
    }

    @Test
    void canceling_a_task_drops_its_runs_enqueued_ahead_and_records_them_canceled() {
        String task = api.post("/tasks", task("to cancel", 0)).expect(201).string("id");
        Instant next = Instant.parse(api.get("/tasks/" + task).string("next_run_at")).plusSeconds(60);
        Schedule schedule = Schedules.compile(new ScheduleDefinition(ScheduleKind.RRULE, RULE, Schedules.zone("UTC"),
                Instant.now(), null, null));
        enqueuer.enqueue(java.util.UUID.fromString(scheduleOf(task)), next, schedule, null, Instant.now(), 3600, false);
        assertThat(queued(task, next)).isOne();

        Map<String, Object> details = api.post("/tasks/" + task + "/cancel", "{}").expect(200).details();

        // (the schedule's own fire may have enqueued its next occurrence ahead as well)
        int removed = ((Number) details.get("queued_runs_removed")).intValue();
        assertThat(removed).isGreaterThanOrEqualTo(1);
        assertThat(queued(task, next)).isZero();
        // Not due yet, but listed as queued with its id until now: it ends in a record, it does not vanish.
        assertThat(runs(task, next)).isOne();
        List<Map<String, Object>> canceled = api.get("/runs?task_id=" + task + "&status=canceled&include_errors=true").items();
        assertThat(canceled).hasSize(removed)
                .allSatisfy(run -> assertThat((String) run.get("error")).contains("canceled"));
        assertThat(canceled).extracting(run -> Instant.parse((String) run.get("scheduled_for"))).contains(next);
    }

    private static Instant nextOccurrenceAtLeast(Duration lead) {
        long from = Instant.now().plus(lead).getEpochSecond();
        return Instant.ofEpochSecond((from / 10 + 1) * 10);
    }

    private String scheduleOf(String taskId) {
        return jdbc.sql("SELECT CAST(schedule_id AS text) FROM task WHERE id = CAST(:id AS uuid)").param("id", taskId)
                .query(String.class).single();
    }

    private long queued(String taskId, Instant occurrence) {
        return jdbc.sql("SELECT count(*) FROM due_work WHERE task_id = CAST(:id AS uuid) AND scheduled_for = :at")
                .param("id", taskId).param("at", Timestamp.from(occurrence)).query(Long.class).single();
    }

    private long runs(String taskId, Instant occurrence) {
        return jdbc.sql("SELECT count(*) FROM task_run WHERE task_id = CAST(:id AS uuid) AND scheduled_for = :at")
                .param("id", taskId).param("at", Timestamp.from(occurrence)).query(Long.class).single();
    }

    private Instant runAt(String taskId, Instant occurrence) {
        return jdbc.sql("SELECT run_at FROM due_work WHERE task_id = CAST(:id AS uuid) AND scheduled_for = :at")
                .param("id", taskId).param("at", Timestamp.from(occurrence)).query(Timestamp.class).single().toInstant();
    }

    private void awaitRun(String taskId, Instant occurrence) {
        Eventually.until("task " + taskId + " ran for " + occurrence, () -> runs(taskId, occurrence) > 0);
    }
}
