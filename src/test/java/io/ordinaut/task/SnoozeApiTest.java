package io.ordinaut.task;

import static io.ordinaut.task.TaskApiTest.task;
import static io.ordinaut.task.TaskApiTest.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;

/**
 * POST /tasks/{id}/snooze against the schedule's bounds and its other occurrences: what the snooze
 * answers, next_run_at and the preview agree with what fires.
 */
class SnoozeApiTest extends NodeTestSupport {

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
}
