package io.ordinaut.task;

import static io.ordinaut.task.TaskApiTest.task;
import static io.ordinaut.task.TaskApiTest.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.ordinaut.queue.DueWorkQueue;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;

/**
 * POST /tasks/{id}/snooze against the schedule's bounds and its other occurrences: what the snooze
 * answers, next_run_at and the preview agree with what fires.
 */
class SnoozeApiTest extends NodeTestSupport {

    @Autowired
    DueWorkQueue queue;

    /** Every 5 s from start_at, with a pipeline that only records its run. */
    private static Map<String, Object> everyFiveSeconds(Instant startAt, String overlapPolicy) {
        Map<String, Object> t = new HashMap<>();
        t.put("title", "every 5 s, " + overlapPolicy);
        t.put("schedule_kind", "interval");
        t.put("schedule_expr", "PT5S");
        t.put("start_at", startAt.toString());
        t.put("overlap_policy", overlapPolicy);
        t.put("payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
        return t;
    }

    /** A start far enough ahead that nothing of the task is enqueued (horizon 10 s) or due while the test sets it up. */
    private static Instant startAhead(int seconds) {
        return Instant.now().plusSeconds(seconds).truncatedTo(ChronoUnit.SECONDS);
    }

    private Instant snooze(String id, int seconds) {
        Response r = api.post("/tasks/" + id + "/snooze", Map.of("delay_seconds", seconds)).expect(200);
        return Instant.parse((String) r.details().get("snoozed_occurrence"));
    }

    /** The task's history rows for one occurrence, as (status, started_at) maps. */
    private List<Map<String, Object>> history(String id, Instant scheduledFor) {
        return jdbc.sql("SELECT status, started_at, error FROM task_run WHERE task_id = CAST(:id AS uuid) AND scheduled_for = :at ORDER BY created_at")
                .param("id", id).param("at", Timestamp.from(scheduledFor)).query().listOfRows();
    }

    private long queued(String id, Instant scheduledFor) {
        return jdbc.sql("SELECT count(*) FROM due_work WHERE task_id = CAST(:id AS uuid) AND scheduled_for = :at")
                .param("id", id).param("at", Timestamp.from(scheduledFor)).query(Long.class).single();
    }

    private Instant queuedRunAt(String id, Instant scheduledFor) {
        return jdbc.sql("SELECT run_at FROM due_work WHERE task_id = CAST(:id AS uuid) AND scheduled_for = :at")
                .param("id", id).param("at", Timestamp.from(scheduledFor)).query(Timestamp.class).single().toInstant();
    }

    private void awaitSucceeded(String id, Instant scheduledFor) {
        Eventually.until("task " + id + " ran its occurrence " + scheduledFor, Duration.ofSeconds(90),
                () -> history(id, scheduledFor).stream().anyMatch(r -> "succeeded".equals(r.get("status"))));
    }

    /** 00:00Z of a day three days ahead: every occurrence computed from it is far from now. */
    private static Instant dayAhead() {
        return Instant.now().plus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.DAYS);
    }

    private List<Instant> preview(String id, int count) {
        return ((List<?>) api.get("/tasks/" + id + "/preview?count=" + count).expect(200).get("occurrences")).stream()
                .map(o -> Instant.parse((String) o)).toList();
    }

    private Instant nextRunAt(String id) {
        return Instant.parse(api.get("/tasks/" + id).expect(200).string("next_run_at"));
    }

    @Test
    void a_snooze_that_would_move_the_occurrence_past_end_at_is_refused_and_changes_nothing() {
        // given a daily 09:00 task whose only occurrence is 09:00 on a day ahead, ending at 09:30 that day
        Instant day = dayAhead();
        Instant nine = day.plus(9, ChronoUnit.HOURS);
        Instant endAt = nine.plus(30, ChronoUnit.MINUTES);
        String id = api.post("/tasks", with(with(task("cron", "0 9 * * *"), "start_at", day.toString()), "end_at", endAt.toString()))
                .expect(201).string("id");

        // when it is snoozed by two days, then that is refused with 409 naming end_at and the occurrence
        Response refused = api.post("/tasks/" + id + "/snooze", Map.of("delay_seconds", 172_800)).expect(409);
        assertThat(refused.get("error")).isEqualTo("Conflict");
        assertThat(refused.string("message")).contains("end_at").contains(endAt.toString()).contains(nine.toString());
        assertThat(refused.details()).containsEntry("end_at", endAt.toString()).containsEntry("snoozed_occurrence", nine.toString());
        // and nothing changed
        assertThat(nextRunAt(id)).isEqualTo(nine);
        assertThat(preview(id, 3)).containsExactly(nine);
        assertThat(jdbc.sql("SELECT snoozed_for IS NULL FROM task WHERE id = CAST(:id AS uuid)").param("id", id)
                .query(Boolean.class).single()).isTrue();

        // end_at is inclusive: a snooze onto it is taken, and one more second, snoozing again, is refused
        Response taken = api.post("/tasks/" + id + "/snooze", Map.of("delay_seconds", 1_800)).expect(200);
        assertThat(Instant.parse((String) taken.details().get("next_run_at"))).isEqualTo(endAt);
        Response again = api.post("/tasks/" + id + "/snooze", Map.of("delay_seconds", 1)).expect(409);
        assertThat(again.details()).containsEntry("snoozed_occurrence", nine.toString()).containsEntry("end_at", endAt.toString());
        assertThat(nextRunAt(id)).isEqualTo(endAt);
        assertThat(preview(id, 3)).containsExactly(endAt);
    }

    @Test
    void a_snooze_onto_another_occurrence_lists_that_instant_once_and_moving_on_lists_both_again() {
        // given a daily 09:00 task starting on a day ahead
        Instant day = dayAhead();
        Instant nine = day.plus(9, ChronoUnit.HOURS);
        String id = api.post("/tasks", with(task("cron", "0 9 * * *"), "start_at", day.toString())).expect(201).string("id");

        // when its first occurrence is snoozed by exactly a day, onto the next one
        Response snoozed = api.post("/tasks/" + id + "/snooze", Map.of("delay_seconds", 86_400)).expect(200);

        // then that instant is planned once: the snoozed run stands for both
        Instant nextDay = nine.plus(1, ChronoUnit.DAYS);
        assertThat(Instant.parse((String) snoozed.details().get("next_run_at"))).isEqualTo(nextDay);
        assertThat(preview(id, 3)).containsExactly(nextDay, nextDay.plus(1, ChronoUnit.DAYS), nextDay.plus(2, ChronoUnit.DAYS));
        assertThat(nextRunAt(id)).isEqualTo(nextDay);

        // and when it is snoozed on by an hour, the regular occurrence it had landed on is planned again
        api.post("/tasks/" + id + "/snooze", Map.of("delay_seconds", 3_600)).expect(200);
        assertThat(preview(id, 3)).containsExactly(nextDay, nextDay.plus(1, ChronoUnit.HOURS), nextDay.plus(1, ChronoUnit.DAYS));
        assertThat(nextRunAt(id)).isEqualTo(nextDay);
    }

    @Test
    void a_snoozed_run_that_lands_on_another_occurrence_runs_once_for_the_snoozed_occurrence_whatever_the_overlap_policy() {
        // given tasks every 5 s from S, far enough ahead that nothing is enqueued yet
        Instant start = startAhead(20);
        String allow = api.post("/tasks", everyFiveSeconds(start, "allow")).expect(201).string("id");
        String skip = api.post("/tasks", everyFiveSeconds(start, "skip")).expect(201).string("id");
        String between = api.post("/tasks", everyFiveSeconds(start, "skip")).expect(201).string("id");

        // when S is snoozed by 10 s, onto S+10, for two of them, and by 7 s, past S+5, for the third
        assertThat(snooze(allow, 10)).isEqualTo(start);
        assertThat(snooze(skip, 10)).isEqualTo(start);
        assertThat(snooze(between, 7)).isEqualTo(start);

        // then the previews list S+10 once, and the snooze between occurrences keeps them all
        Instant s5 = start.plusSeconds(5);
        Instant s10 = start.plusSeconds(10);
        Instant s15 = start.plusSeconds(15);
        for (String id : List.of(allow, skip)) {
            assertThat(preview(id, 3)).as(id).containsExactly(s5, s10, s15);
        }
        assertThat(preview(between, 4)).containsExactly(s5, start.plusSeconds(7), s10, s15);

        // and once S+15 ran, S ran once, at S+10 (or S+7), S+10 had no run of its own, and no run was skipped
        for (String id : List.of(allow, skip, between)) {
            awaitSucceeded(id, s15);
        }
        for (String id : List.of(allow, skip)) {
            assertThat(history(id, start)).as(id).singleElement().satisfies(run -> {
                assertThat(run.get("status")).isEqualTo("succeeded");
                assertThat(((Timestamp) run.get("started_at")).toInstant()).isAfterOrEqualTo(s10);
            });
            assertThat(history(id, s10)).as(id).isEmpty();
            assertThat(queued(id, s10)).as(id).isZero();
            assertThat(history(id, s5)).as(id).extracting(run -> run.get("status")).containsExactly("succeeded");
        }
        assertThat(history(between, start)).singleElement().satisfies(run -> {
            assertThat(run.get("status")).isEqualTo("succeeded");
            assertThat(((Timestamp) run.get("started_at")).toInstant()).isAfterOrEqualTo(start.plusSeconds(7));
        });
        for (Instant regular : List.of(s5, s10)) {
            assertThat(history(between, regular)).as("%s", regular).extracting(run -> run.get("status")).containsExactly("succeeded");
        }
    }

    @Test
    void a_run_enqueued_ahead_for_the_occurrence_a_snooze_lands_on_is_folded_and_comes_back_when_the_snooze_moves_on() {
        // given a task every 5 s from S whose runs for S and S+5 were enqueued ahead (as a window fire does)
        Instant start = startAhead(30);
        Instant s5 = start.plusSeconds(5);
        String id = api.post("/tasks", everyFiveSeconds(start, "allow")).expect(201).string("id");
        UUID scheduleId = jdbc.sql("SELECT schedule_id FROM task WHERE id = CAST(:id AS uuid)").param("id", id).query(UUID.class).single();
        for (Instant occurrence : List.of(start, s5)) {
            jdbc.sql("INSERT INTO schedule_occurrence (schedule_id, occurrence, outcome) VALUES (:s, :o, 'enqueued')")
                    .param("s", scheduleId).param("o", Timestamp.from(occurrence)).update();
            assertThat(queue.enqueueScheduleOccurrence(scheduleId, occurrence)).isOne();
        }

        // when S is snoozed by 5 s, onto S+5
        assertThat(snooze(id, 5)).isEqualTo(start);

        // then S's run waits for S+5, and the run queued for S+5 is taken out and recorded skipped, saying why
        assertThat(queuedRunAt(id, start)).isEqualTo(s5);
        assertThat(queued(id, s5)).isZero();
        assertThat(history(id, s5)).singleElement().satisfies(run -> {
            assertThat(run.get("status")).isEqualTo("skipped");
            assertThat((String) run.get("error")).contains("snooze").contains(start.toString());
        });

        // and when the snooze moves S on by 2 s more, S+5 gets its run back
        assertThat(snooze(id, 2)).isEqualTo(start);
        assertThat(queuedRunAt(id, start)).isEqualTo(start.plusSeconds(7));
        assertThat(queuedRunAt(id, s5)).isEqualTo(s5);
        assertThat(preview(id, 3)).containsExactly(s5, start.plusSeconds(7), start.plusSeconds(10));

        // and both run
        awaitSucceeded(id, s5);
        awaitSucceeded(id, start);
    }
}
