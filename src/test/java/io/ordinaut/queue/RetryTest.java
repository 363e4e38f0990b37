package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.ordinaut.support.Eventually;
import tools.jackson.databind.json.JsonMapper;

/**
 * Failed attempts come back after their task's backoff; after max_retries the run is a dead letter. A
 * scheduled run's retries stay scheduled: a pause or schedule change drops them, or cancels them at the claim.
 */
class RetryTest {

    private static final Duration BASE = Duration.ofSeconds(10);

    @Test
    void backoff_strategies_compute_their_delays_and_respect_the_cap() {
        Backoff half = new Backoff(BASE, Duration.ofSeconds(60), () -> 0.5);
        assertThat(List.of(1, 2, 3, 4, 5).stream().map(a -> half.delay("exponential_jitter", a)).toList())
                .containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30),
                        Duration.ofSeconds(30));
        assertThat(List.of(1, 2, 3, 7).stream().map(a -> half.delay("linear", a)).toList())
                .containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(60));
        assertThat(half.delay("fixed", 9)).isEqualTo(BASE);
        // full jitter: anywhere from zero up to the exponential ceiling
        assertThat(new Backoff(BASE, Duration.ofHours(1), () -> 0.0).delay("exponential_jitter", 3)).isZero();
        assertThat(new Backoff(BASE, Duration.ofHours(1), () -> 0.999).delay("exponential_jitter", 3))
                .isBetween(Duration.ofSeconds(39), Duration.ofSeconds(40));
    }

    @ParameterizedTest
    @CsvSource({"linear, 10, 20", "fixed, 10, 10", "exponential_jitter, 5, 10"})
    void failed_runs_are_requeued_after_the_backoff_until_they_are_dead(String strategy, long firstDelay, long secondDelay) {
        try (QueueFixture fx = new QueueFixture()) {
            // given a task allowed two retries whose pipeline always fails with a retryable error
            UUID task = fx.task(QueueFixture.TaskRow.defaults().retries(2, strategy));
            RunProperties runs = QueueFixture.runs(BASE, Duration.ofHours(1));
            UUID runId = fx.queue(runs).enqueueNow(task, "run_now", fx.clock.instant());
            ExecutorPool pool = fx.node("node-a", run -> RunResult.failed("tool answered 503", true, null),
                    QueueFixture.executor(2, 30, 0), runs, () -> 0.5);

            // when each attempt fails, the run waits the strategy's delay from when its result is written (by the
            // database's clock); the test then makes it due instead of waiting
            List<Duration> waits = new ArrayList<>();
            for (int attempt = 1; attempt <= 2; attempt++) {
                int recorded = attempt;
                Eventually.until("attempt " + attempt + " recorded", () -> fx.history(task).size() == recorded);
                Map<String, Object> queued = fx.queueRow(runId);
                Instant finished = ((Timestamp) fx.history(task).get(attempt - 1).get("finished_at")).toInstant();
                Instant runAt = ((Timestamp) queued.get("run_at")).toInstant();
                waits.add(Duration.between(finished, runAt));
                assertThat(queued).containsEntry("attempt", attempt + 1).containsEntry("trigger", "retry");
                assertThat(queued.get("locked_by")).isNull();
                fx.jdbc.sql("UPDATE due_work SET run_at = now(), queue_order = now() WHERE id = :id").param("id", runId).update();
                pool.wake();
            }
            Eventually.until("third attempt recorded", () -> fx.history(task).size() == 3);

            // then the delays are the strategy's (counted from the write, a few milliseconds after the finish),
            // and the last attempt is a dead letter under the run's id
            assertThat(waits).hasSize(2);
            assertThat(waits.get(0)).isBetween(Duration.ofSeconds(firstDelay).minusMillis(500), Duration.ofSeconds(firstDelay).plusSeconds(3));
            assertThat(waits.get(1)).isBetween(Duration.ofSeconds(secondDelay).minusMillis(500), Duration.ofSeconds(secondDelay).plusSeconds(3));
            List<Map<String, Object>> history = fx.history(task);
            assertThat(history).extracting(r -> r.get("status")).containsExactly("failed", "failed", "dead");
            assertThat(history).extracting(r -> r.get("attempt")).containsExactly(1, 2, 3);
            assertThat(history).extracting(r -> r.get("run_id")).containsOnly(runId);
            assertThat(history.get(2)).containsEntry("id", runId);
            assertThat((String) history.get(2).get("error")).contains("tool answered 503", "no retries left");
            assertThat(fx.queueRow(runId)).isNull();
        }
    }

    @Test
    void without_retries_a_failure_ends_the_run_as_failed() {
        try (QueueFixture fx = new QueueFixture()) {
            UUID task = fx.task(QueueFixture.TaskRow.defaults().retries(0, "fixed"));
            UUID runId = fx.queue().enqueueNow(task, "run_now", fx.clock.instant());
            fx.node("node-a", run -> RunResult.failed("tool timed out", true, null), QueueFixture.executor(2, 30, 0));

            Eventually.until("run recorded", () -> fx.history(task).size() == 1);
            assertThat(fx.history(task).get(0)).containsEntry("id", runId).containsEntry("status", "failed").containsEntry("attempt", 1);
        }
    }

    @Test
    void a_non_retryable_error_fails_the_run_at_once() {
        try (QueueFixture fx = new QueueFixture()) {
            UUID task = fx.task(QueueFixture.TaskRow.defaults().retries(5, "fixed"));
            UUID runId = fx.queue().enqueueNow(task, "run_now", fx.clock.instant());
            fx.node("node-a", run -> RunResult.failed("step 'x' failed: HTTP 400", false, null), QueueFixture.executor(2, 30, 0));

            Eventually.until("run recorded", () -> fx.history(task).size() == 1);
            assertThat(fx.history(task).get(0)).containsEntry("id", runId).containsEntry("status", "failed")
                    .containsEntry("success", false).containsEntry("attempt", 1)
                    .containsEntry("error", "step 'x' failed: HTTP 400 (not retried: retrying would fail the same way)");
            assertThat(fx.queueRow(runId)).isNull();
        }
    }

    @Test
    void retrying_a_dead_run_requeues_it_under_its_own_id() {
        try (QueueFixture fx = new QueueFixture()) {
            // given a dead run (one retry, both attempts failed)
            UUID task = fx.task(QueueFixture.TaskRow.defaults().retries(1, "fixed"));
            RunProperties runs = QueueFixture.runs(Duration.ofMillis(10), Duration.ofMillis(10));
            UUID runId = fx.queue(runs).enqueueNow(task, "run_now", fx.clock.instant());
            AtomicBoolean healthy = new AtomicBoolean();
            fx.node("node-a", run -> healthy.get() ? RunResult.succeeded(Map.of("ok", true)) : RunResult.failed("down", true, null),
                    QueueFixture.executor(2, 30, 0), runs, () -> 0.5);
            Eventually.until("dead", () -> fx.history(task).size() == 2);
            assertThat(fx.history(task).get(1)).containsEntry("id", runId).containsEntry("status", "dead");
            RunCommands commands = new RunCommands(fx.jdbc, fx.clock, RunProperties.defaults());

            // when it is retried after the cause is fixed
            healthy.set(true);
            RunCommands.Result retried = commands.retry(runId);

            // then it runs again as attempt 3 and succeeds under the same id; the dead attempt stays in history,
            // as an earlier attempt that failed and was retried
            assertThat(retried.applied()).isTrue();
            assertThat(retried.status()).isEqualTo(RunStatus.QUEUED);
            Eventually.until("retried run recorded", () -> fx.history(task).size() == 3);
            List<Map<String, Object>> history = fx.history(task);
            assertThat(history.get(1)).containsEntry("status", "failed").containsEntry("run_id", runId);
            assertThat(history.get(1).get("id")).isNotEqualTo(runId);
            assertThat(history.get(2)).containsEntry("id", runId).containsEntry("status", "succeeded")
                    .containsEntry("attempt", 3).containsEntry("trigger", "retry");

            // and a succeeded run, an earlier attempt or an unknown id cannot be retried
            assertThat(commands.retry(runId).applied()).isFalse();
            assertThat(commands.retry(runId).status()).isEqualTo(RunStatus.SUCCEEDED);
            assertThat(commands.retry((UUID) history.get(1).get("id")).applied()).isFalse();
            assertThat(commands.retry(UUID.randomUUID()).found()).isFalse();
        }
    }

    @Test
    void a_dead_run_retried_by_request_that_dies_again_is_one_dead_letter_whose_error_says_so() {
        try (QueueFixture fx = new QueueFixture()) {
            // given a dead run (max_retries 1: two attempts, both failed) whose cause is not fixed
            UUID task = fx.task(QueueFixture.TaskRow.defaults().retries(1, "fixed"));
            RunProperties runs = QueueFixture.runs(Duration.ofMillis(10), Duration.ofMillis(10));
            UUID runId = fx.queue(runs).enqueueNow(task, "run_now", fx.clock.instant());
            fx.node("node-a", run -> RunResult.failed("tool answered 503", true, null), QueueFixture.executor(2, 30, 0), runs, () -> 0.5);
            Eventually.until("dead", () -> fx.history(task).size() == 2);
            RunCommands commands = new RunCommands(fx.jdbc, fx.clock, RunProperties.defaults());

            // when it is retried by request and fails again
            assertThat(commands.retry(runId).message()).isEqualTo("Run " + runId + " queued again as attempt 3");
            Eventually.until("retried run recorded", () -> fx.history(task).size() == 3);

            // then it is one dead letter, the retried attempt: the earlier dead one is history that says it was
            // retried, and the new error names a retry by request rather than an impossible "attempt 3 of 2"
            List<Map<String, Object>> history = fx.history(task);
            assertThat(history).extracting(r -> r.get("status")).containsExactly("failed", "failed", "dead");
            assertThat(history).extracting(r -> r.get("attempt")).containsExactly(1, 2, 3);
            assertThat(history).extracting(r -> r.get("run_id")).containsOnly(runId);
            assertThat(fx.jdbc.sql("SELECT count(*) FROM task_run WHERE status = 'dead'").query(Long.class).single()).isEqualTo(1);
            assertThat((String) history.get(1).get("error"))
                    .startsWith("tool answered 503 (attempt 2 of 2; no retries left) (a dead letter until retried by request at ");
            assertThat(history.get(2)).containsEntry("id", runId).containsEntry("trigger", "retry").containsEntry("error",
                    "tool answered 503 (attempt 3: a retry by request after the task's 2 attempts were used; no retries left)");
            assertThat(fx.queueRow(runId)).isNull();

            // and it can be retried again, still as one run with one dead letter
            assertThat(commands.retry(runId).applied()).isTrue();
            Eventually.until("second retry recorded", () -> fx.history(task).size() == 4);
            assertThat(fx.history(task)).extracting(r -> r.get("status")).containsExactly("failed", "failed", "failed", "dead");
        }
    }

    @Test
    void a_pause_drops_a_scheduled_runs_waiting_retry_and_keeps_the_retries_of_run_now_and_of_a_retry_by_request() {
        try (QueueFixture fx = new QueueFixture(); Claims claims = new Claims(fx.dataSource)) {
            DueWorkQueue queue = fx.queue();
            RunCommands commands = new RunCommands(fx.jdbc, fx.clock, RunProperties.defaults());
            UUID task = fx.task(QueueFixture.TaskRow.defaults().allowOverlap().retries(3, "linear"));
            Instant now = fx.clock.instant().truncatedTo(ChronoUnit.MICROS);
            // given a scheduled run that failed and waits an hour for its retry (trigger retry, attempt 2)
            queue.enqueueTaskOccurrences(task, List.of(now.minusSeconds(2)));
            ClaimedRun scheduled = claimOne(claims);
            fail(fx, scheduled, Duration.ofHours(1));
            // and a run_now run that failed and waits for its retry too
            UUID runNow = queue.enqueueNow(task, "run_now", now);
            fail(fx, claimOne(claims), Duration.ofHours(1));
            // and a scheduled run that failed for good and was then retried by request
            queue.enqueueTaskOccurrences(task, List.of(now.minusSeconds(1)));
            ClaimedRun failed = claimOne(claims);
            fail(fx, failed, null);
            assertThat(commands.retry(failed.id()).applied()).isTrue();

            // when the task is paused (its status, then its scheduled runs dropped, as TaskService does)
            fx.jdbc.sql("UPDATE task SET status = 'paused' WHERE id = :id").param("id", task).update();
            int dropped = queue.dropQueued(task, true, "canceled: the task was paused");

            // then the scheduled run's retry is dropped, recorded canceled as its second attempt under its id
            assertThat(dropped).isOne();
            assertThat(fx.queueRow(scheduled.id())).isNull();
            assertThat(fx.jdbc.sql("SELECT * FROM task_run WHERE id = :id").param("id", scheduled.id()).query().singleRow())
                    .containsEntry("status", "canceled").containsEntry("trigger", "retry").containsEntry("attempt", 2)
                    .containsEntry("error", "canceled: the task was paused");
            // and the explicit requests stay and are claimed though the task is paused
            fx.jdbc.sql("UPDATE due_work SET run_at = now() - interval '1 second'").update();
            assertThat(claims.claim("node-a", 10, Duration.ofSeconds(60))).extracting(ClaimedRun::id)
                    .containsExactlyInAnyOrder(runNow, failed.id());
        }
    }

    @Test
    void a_scheduled_runs_retry_is_canceled_at_the_claim_after_a_pause_that_raced_it_or_came_while_it_ran() {
        try (QueueFixture fx = new QueueFixture(); Claims claims = new Claims(fx.dataSource)) {
            DueWorkQueue queue = fx.queue();
            UUID task = fx.task(QueueFixture.TaskRow.defaults().allowOverlap().retries(3, "linear"));
            Instant now = fx.clock.instant().truncatedTo(ChronoUnit.MICROS);
            // given two scheduled runs of a task, both running; one fails and its retry is queued, due now
            queue.enqueueTaskOccurrences(task, List.of(now.minusSeconds(2), now.minusSeconds(1)));
            List<ClaimedRun> running = claims.claim("node-a", 10, Duration.ofSeconds(60));
            assertThat(running).hasSize(2);
            fail(fx, running.get(0), Duration.ZERO);

            // when the task is paused in a race its drop did not see, and then the other run fails too
            fx.jdbc.sql("UPDATE task SET status = 'paused' WHERE id = :id").param("id", task).update();
            fail(fx, running.get(1), Duration.ZERO);

            // then the claim starts neither retry: each is recorded canceled as its second attempt
            assertThat(claims.claim("node-a", 10, Duration.ofSeconds(60))).isEmpty();
            assertThat(fx.count("SELECT count(*) FROM due_work")).isZero();
            List<Map<String, Object>> canceled = fx.jdbc.sql("SELECT * FROM task_run WHERE status = 'canceled'").query().listOfRows();
            assertThat(canceled).extracting(r -> r.get("id"))
                    .containsExactlyInAnyOrder(running.get(0).id(), running.get(1).id());
            assertThat(canceled).allSatisfy(r -> assertThat(r).containsEntry("trigger", "retry").containsEntry("attempt", 2)
                    .containsEntry("error", "canceled: the task was paused"));
        }
    }

    @Test
    void a_scheduled_runs_retry_from_the_tasks_earlier_active_period_is_canceled_at_the_claim() {
        try (QueueFixture fx = new QueueFixture(); Claims claims = new Claims(fx.dataSource)) {
            DueWorkQueue queue = fx.queue();
            UUID task = fx.task(QueueFixture.TaskRow.defaults().allowOverlap().retries(3, "linear"));
            Instant now = fx.clock.instant().truncatedTo(ChronoUnit.MICROS);
            // given a scheduled run and a run_now run of a task, both failed, their retries due
            queue.enqueueTaskOccurrences(task, List.of(now.minusSeconds(1)));
            ClaimedRun scheduled = claimOne(claims);
            fail(fx, scheduled, Duration.ofHours(1));
            UUID runNow = queue.enqueueNow(task, "run_now", now);
            fail(fx, claimOne(claims), Duration.ofHours(1));
            fx.jdbc.sql("UPDATE due_work SET run_at = now() - interval '1 second'").update();

            // when the task gets a new active period (its schedule changed) before a claim
            fx.jdbc.sql("UPDATE task SET active_since = active_since + interval '1 second' WHERE id = :id").param("id", task).update();

            // then the scheduled run's retry is recorded canceled, and the run_now run's retry starts
            assertThat(claims.claim("node-a", 10, Duration.ofSeconds(60))).extracting(ClaimedRun::id).containsExactly(runNow);
            assertThat(fx.jdbc.sql("SELECT * FROM task_run WHERE id = :id").param("id", scheduled.id()).query().singleRow())
                    .containsEntry("status", "canceled").containsEntry("trigger", "retry").containsEntry("attempt", 2)
                    .containsEntry("error", "canceled: the occurrence belongs to the task's earlier schedule or active period");
        }
    }

    private static ClaimedRun claimOne(Claims claims) {
        List<ClaimedRun> claimed = claims.claim("node-a", 10, Duration.ofSeconds(60));
        assertThat(claimed).hasSize(1);
        return claimed.get(0);
    }

    /** Writes a failed attempt of a claimed run: re-queued after {@code retryIn}, or (null) ended as failed. */
    private static void fail(QueueFixture fx, ClaimedRun run, Duration retryIn) {
        Instant now = fx.clock.instant();
        Outcome failed = new Outcome(run.id(), run.leaseToken(), retryIn == null ? run.id() : UUID.randomUUID(), run.taskId(),
                run.scheduledFor(), run.trigger(), run.attempt(), RunStatus.FAILED, false, now, now, "tool answered 500", null,
                retryIn);
        assertThat(new Completions(fx.jdbc, JsonMapper.shared(), 60).finish("node-a", List.of(failed))).isOne();
    }
}
