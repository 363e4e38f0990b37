package io.ordinaut.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.ordinaut.TaskStatus;

/** The named changes of a task keep what they should and check the status transition table at the change. */
class TaskStateTest {

    private static final Instant CREATED = Instant.parse("2026-03-01T09:00:00Z");
    private static final Instant LATER = Instant.parse("2026-03-02T09:00:00Z");

    private static TaskSpec spec(String expr) {
        return new TaskSpec("t", "", "cron", expr, "UTC", Map.of("pipeline", java.util.List.of()), 5, 0,
                "exponential_jitter", null, null, null, UUID.randomUUID(), 3600, 0, null, null, new RunPolicy("skip", null, 1));
    }

    @Test
    void a_new_task_is_active_from_its_creation_and_on_no_schedule_yet() {
        Task task = Task.created(UUID.randomUUID(), spec("0 9 * * *"), CREATED);
        assertThat(task.status()).isEqualTo(TaskStatus.ACTIVE);
        assertThat(task.activeSince()).isEqualTo(CREATED);
        assertThat(task.state().createdAt()).isEqualTo(CREATED);
        assertThat(task.scheduleId()).isNull();
    }

    @Test
    void a_change_that_keeps_the_schedule_keeps_the_state_and_a_new_schedule_starts_afresh() {
        UUID schedule = UUID.randomUUID();
        Task task = new Task(UUID.randomUUID(), spec("0 9 * * *"),
                new TaskState(TaskStatus.ACTIVE, schedule, CREATED, CREATED.plusSeconds(60), 30, CREATED, CREATED));

        Task retitled = task.withSpec(spec("0 9 * * *"), LATER);
        assertThat(retitled.scheduleId()).isEqualTo(schedule);
        assertThat(retitled.activeSince()).isEqualTo(CREATED);
        assertThat(retitled.state().snoozedFor()).isEqualTo(CREATED.plusSeconds(60));
        assertThat(retitled.state().updatedAt()).isEqualTo(LATER);

        Task rescheduled = task.withSpec(spec("0 10 * * *"), LATER);
        assertThat(rescheduled.scheduleId()).isNull();
        assertThat(rescheduled.activeSince()).isEqualTo(LATER);
        assertThat(rescheduled.state().snoozedFor()).isNull();
        assertThat(rescheduled.state().createdAt()).isEqualTo(CREATED);
    }

    @Test
    void pausing_leaves_the_schedule_and_resuming_starts_from_now_without_the_snooze() {
        Task task = new Task(UUID.randomUUID(), spec("0 9 * * *"),
                new TaskState(TaskStatus.ACTIVE, UUID.randomUUID(), CREATED, CREATED.plusSeconds(60), 30, CREATED, CREATED));
        Task paused = task.withStatus(TaskStatus.PAUSED, LATER);
        assertThat(paused.status()).isEqualTo(TaskStatus.PAUSED);
        assertThat(paused.scheduleId()).isNull();

        Task resumed = paused.resumed(LATER.plusSeconds(5));
        assertThat(resumed.status()).isEqualTo(TaskStatus.ACTIVE);
        assertThat(resumed.activeSince()).isEqualTo(LATER.plusSeconds(5));
        assertThat(resumed.state().snoozedFor()).isNull();
    }

    @Test
    void a_forbidden_status_change_throws_naming_the_task() {
        UUID id = UUID.randomUUID();
        Task canceled = new Task(id, spec("0 9 * * *"),
                new TaskState(TaskStatus.CANCELED, null, CREATED, null, null, CREATED, CREATED));
        assertThatThrownBy(() -> canceled.withStatus(TaskStatus.ACTIVE, LATER))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(id.toString())
                .hasMessageContaining("canceled cannot become active");
        assertThatThrownBy(() -> canceled.resumed(LATER)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void a_snooze_is_an_occurrence_and_a_delay_together() {
        assertThatThrownBy(() -> new TaskState(TaskStatus.ACTIVE, null, CREATED, CREATED, null, CREATED, CREATED))
                .isInstanceOf(IllegalArgumentException.class);
        Task task = Task.created(UUID.randomUUID(), spec("0 9 * * *"), CREATED);
        Task snoozed = task.snoozed(LATER, 600, LATER.minusSeconds(10));
        assertThat(snoozed.state().snoozedFor()).isEqualTo(LATER);
        assertThat(snoozed.state().snoozeSeconds()).isEqualTo(600);
        assertThat(snoozed.activeSince()).isEqualTo(CREATED);
    }
}
