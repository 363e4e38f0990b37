package io.ordinaut.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.ordinaut.schedule.ScheduleDefinition;
import io.ordinaut.schedule.ScheduleKind;
import io.ordinaut.schedule.Schedules;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;

/**
 * The interleaving ChangeRaceTest hopes to hit, made certain: a fire has enqueued a task's next run
 * (enqueued ahead, not yet committed) when the task is canceled, paused or rescheduled. The change
 * must not answer before it has dropped that run; and a run a change could not see at all is recorded
 * canceled when it is claimed instead of starting.
 */
class RacingFireTest extends NodeTestSupport {

    private static final String RULE = "FREQ=SECONDLY;INTERVAL=10";
    private static final AtomicInteger SCHEDULES = new AtomicInteger();

    @Autowired
    OccurrenceEnqueuer enqueuer;

    @Autowired
    PlatformTransactionManager transactions;

    static Map<String, Object> task() {
        return Map.of("title", "raced", "schedule_kind", "rrule", "schedule_expr", RULE,
                "misfire_grace_seconds", 3600 + SCHEDULES.incrementAndGet(),
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
    }

    @Test
    void a_cancel_racing_a_fire_that_enqueued_ahead_leaves_no_run_to_start() throws Exception {
        raceAgainstFire(id -> api.delete("/tasks/" + id).expect(200));
    }

    @Test
    void a_pause_racing_a_fire_that_enqueued_ahead_leaves_no_run_to_start() throws Exception {
        raceAgainstFire(id -> api.post("/tasks/" + id + "/pause", "{}").expect(200));
    }

    @Test
    void a_schedule_change_racing_a_fire_that_enqueued_ahead_leaves_no_run_at_the_old_instant() throws Exception {
        String far = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        raceAgainstFire(id -> api.put("/tasks/" + id, Map.of("schedule_kind", "once", "schedule_expr", far)).expect(200));
    }

    @Test
    void a_queued_run_of_a_task_that_is_no_longer_active_is_recorded_canceled_when_claimed() throws Exception {
        String canceled = api.post("/tasks", task()).expect(201).string("id");
        String paused = api.post("/tasks", task()).expect(201).string("id");
        Instant occurrence = nextOccurrenceAtLeast(Duration.ofSeconds(3));
        fire(canceled, occurrence);
        fire(paused, occurrence);
        // as a change would leave them had it missed the runs (it committed without seeing them)
        jdbc.sql("UPDATE task SET status = 'canceled', schedule_id = NULL WHERE id = CAST(:id AS uuid)").param("id", canceled).update();
        jdbc.sql("UPDATE task SET status = 'paused', schedule_id = NULL WHERE id = CAST(:id AS uuid)").param("id", paused).update();

        awaitGone(canceled, occurrence);
        awaitGone(paused, occurrence);

        assertThat(history(canceled, occurrence)).containsExactly("canceled: the task was canceled");
        assertThat(history(paused, occurrence)).containsExactly("canceled: the task was paused");
    }

    private void raceAgainstFire(Consumer<String> change) throws Exception {
        String taskId = createEarlyInPeriod();
        Instant occurrence = nextOccurrenceAtLeast(Duration.ofSeconds(8));
        CountDownLatch enqueued = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);

        // given a fire that has enqueued the task's next run and not committed yet
        CompletableFuture<Void> fire = CompletableFuture.runAsync(() -> new TransactionTemplate(transactions).executeWithoutResult(s -> {
            fire(taskId, occurrence);
            enqueued.countDown();
            Eventually.released(release);
        }));
        assertThat(enqueued.await(30, TimeUnit.SECONDS)).isTrue();

        // when the task is changed meanwhile, and the fire commits while the change is under way
        CompletableFuture<Instant> answered = CompletableFuture.supplyAsync(() -> {
            change.accept(taskId);
            return Instant.now();
        });
        Thread.sleep(500);
        release.countDown();
        fire.get(30, TimeUnit.SECONDS);
        Instant at = answered.get(30, TimeUnit.SECONDS);

        // then the run never starts
        assertThat(at).isBefore(occurrence);
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), occurrence).toMillis()) + 2_000);
        assertThat(jdbc.sql("SELECT count(*) FROM task_run WHERE task_id = CAST(:id AS uuid) AND started_at IS NOT NULL")
                .param("id", taskId).query(Long.class).single()).as("runs started").isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM due_work WHERE task_id = CAST(:id AS uuid)")
                .param("id", taskId).query(Long.class).single()).as("runs still queued").isZero();
    }

    /**
     * Creates a task at least 6 s before the rule's next occurrence (its occurrences fall on multiples of
     * 10 s since midnight), so none of those its creation enqueued falls due before the change under test
     * lands: such a run would rightly start, and the test would see it.
     */
    private String createEarlyInPeriod() throws InterruptedException {
        long untilNext = 10_000 - Instant.now().toEpochMilli() % 10_000;
        if (untilNext < 6_000) {
            Thread.sleep(untilNext + 50);
        }
        return api.post("/tasks", task()).expect(201).string("id");
    }

    private void fire(String taskId, Instant occurrence) {
        UUID scheduleId = jdbc.sql("SELECT schedule_id FROM task WHERE id = CAST(:id AS uuid)").param("id", taskId)
                .query(UUID.class).single();
        enqueuer.enqueue(scheduleId, occurrence, Schedules.compile(new ScheduleDefinition(ScheduleKind.RRULE, RULE,
                Schedules.zone("UTC"), Instant.now(), null, null)), null, Instant.now(), 3600, false);
    }

    private List<String> history(String taskId, Instant occurrence) {
        return jdbc.sql("""
                SELECT status || ': ' || error FROM task_run WHERE task_id = CAST(:id AS uuid) AND scheduled_for = :at""")
                .param("id", taskId).param("at", Timestamp.from(occurrence)).query(String.class).list()
                .stream().map(s -> s.substring(s.indexOf(": ") + 2)).toList();
    }

    private void awaitGone(String taskId, Instant occurrence) {
        Eventually.until("run of task " + taskId + " for " + occurrence + " claimed",
                Duration.between(Instant.now(), occurrence).plus(Eventually.PATIENCE),
                () -> jdbc.sql("SELECT count(*) FROM due_work WHERE task_id = CAST(:id AS uuid)").param("id", taskId)
                        .query(Long.class).single() == 0);
    }

    private static Instant nextOccurrenceAtLeast(Duration lead) {
        long from = Instant.now().plus(lead).getEpochSecond();
        return Instant.ofEpochSecond((from / 10 + 1) * 10);
    }
}
