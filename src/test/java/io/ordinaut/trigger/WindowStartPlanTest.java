package io.ordinaut.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.ordinaut.schedule.Schedule;
import io.ordinaut.schedule.ScheduleDefinition;
import io.ordinaut.schedule.ScheduleKind;
import io.ordinaut.schedule.Schedules;

/**
 * What a new schedule enqueues when its first task joins it: every occurrence from the moment the task is
 * on it — not from the moment the join gets to compute the plan, which a slow request puts seconds later.
 */
class WindowStartPlanTest {

    private static final Instant CREATED = Instant.parse("2026-11-30T10:00:00Z");

    /** The join runs 3 s after the task was created (a loaded node). */
    private final WindowFirer firer = new WindowFirer(null, null, Clock.fixed(CREATED.plusSeconds(3), ZoneOffset.UTC), null,
            new TriggerProperties(null, null, null, null, null, null), null, null, null);

    @Test
    void an_occurrence_between_the_tasks_creation_and_the_join_is_enqueued_not_lost() {
        Schedule once = schedule(ScheduleKind.ONCE, "2026-11-30T10:00:01Z", null);

        WindowFirer.Plan plan = firer.planStart(UUID.randomUUID(), once, 60, CREATED, () -> true);

        assertThat(plan.enqueue()).containsExactly(Instant.parse("2026-11-30T10:00:01Z"));
        assertThat(plan.finished()).isTrue();
    }

    @Test
    void an_interval_starting_at_creation_keeps_its_first_occurrence() {
        Schedule interval = schedule(ScheduleKind.INTERVAL, "PT2S", CREATED.plusMillis(500));

        WindowFirer.Plan plan = firer.planStart(UUID.randomUUID(), interval, 60, CREATED, () -> true);

        // Horizon 10 s from the join (10:00:03): 10:00:00.5, 02.5, … 12.5.
        assertThat(plan.enqueue()).first().isEqualTo(CREATED.plusMillis(500));
        assertThat(plan.enqueue()).hasSize(7);
        assertThat(plan.outage()).isFalse();
    }

    @Test
    void a_task_put_on_a_schedule_now_gets_nothing_from_before_now() {
        Schedule once = schedule(ScheduleKind.ONCE, "2026-11-30T10:00:01Z", null);

        WindowFirer.Plan plan = firer.planStart(UUID.randomUUID(), once, 60, CREATED.plusSeconds(3), () -> true);

        assertThat(plan.enqueue()).isEmpty();
        assertThat(plan.finished()).isTrue();
    }

    @Test
    void a_schedule_whose_window_group_does_not_fire_enqueues_nothing_and_waits_at_its_first_occurrence() {
        Schedule interval = schedule(ScheduleKind.INTERVAL, "PT2S", CREATED.plusMillis(500));

        WindowFirer.Plan plan = firer.planStart(UUID.randomUUID(), interval, 60, CREATED, () -> false);

        assertThat(plan.enqueue()).isEmpty();
        assertThat(plan.nextFireAt()).isEqualTo(CREATED.plusMillis(500));
        assertThat(plan.finished()).isFalse();
    }

    @Test
    void whether_the_group_fires_is_asked_only_when_there_is_something_to_enqueue() {
        Schedule later = schedule(ScheduleKind.ONCE, "2026-11-30T11:00:00Z", null);

        WindowFirer.Plan plan = firer.planStart(UUID.randomUUID(), later, 60, CREATED, () -> {
            throw new AssertionError("asked whether the group fires");
        });

        assertThat(plan.enqueue()).isEmpty();
        assertThat(plan.nextFireAt()).isEqualTo(Instant.parse("2026-11-30T11:00:00Z"));
    }

    private static Schedule schedule(ScheduleKind kind, String expr, Instant startAt) {
        return Schedules.compile(new ScheduleDefinition(kind, expr, Schedules.zone("UTC"), CREATED, startAt, null));
    }
}
