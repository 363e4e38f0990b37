package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.Eventually;

/** Timeouts, cancel and graceful shutdown: a run always ends recorded, and never holds a lease it cannot use. */
class RunLifecycleTest {

    @Test
    void a_run_past_its_timeout_is_failed_interrupted_and_retried() throws Exception {
        try (QueueFixture fx = new QueueFixture()) {
            // given a task with a 1 s timeout whose first attempt hangs
            UUID task = fx.task(QueueFixture.TaskRow.defaults().timeout(1).retries(1, "fixed"));
            RunProperties runs = QueueFixture.runs(Duration.ofMillis(100), Duration.ofSeconds(1));
            UUID runId = fx.queue(runs).enqueueNow(task, "run_now", fx.clock.instant());
            AtomicBoolean interrupted = new AtomicBoolean();
            CountDownLatch hung = new CountDownLatch(1);
            fx.node("node-a", run -> {
                if (run.attempt() == 1) {
                    try {
                        hung.countDown();
                        Thread.sleep(30_000);
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                    }
                    return RunResult.succeeded(Map.of("too", "late"));
                }
                return RunResult.succeeded(Map.of("attempt", run.attempt()));
            }, QueueFixture.executor(2, 30, 0), runs, () -> 0.5);
            assertThat(hung.await(30, TimeUnit.SECONDS)).isTrue();

            // when the timeout passes, the attempt fails, its thread is interrupted and the run is retried
            Eventually.until("both attempts recorded", Duration.ofSeconds(20), () -> fx.history(task).size() == 2);
            List<Map<String, Object>> history = fx.history(task);
            assertThat(history.get(0)).containsEntry("status", "failed").containsEntry("attempt", 1);
            assertThat((String) history.get(0).get("error")).contains("timed out after 1 s");
            assertThat(history.get(1)).containsEntry("id", runId).containsEntry("status", "succeeded").containsEntry("attempt", 2);
            assertThat(interrupted).isTrue();
            assertThat(fx.queueRow(runId)).isNull();
        }
    }

    @Test
    void graceful_shutdown_finishes_short_runs_and_never_hands_a_started_run_to_another_node() throws Exception {
        try (QueueFixture fx = new QueueFixture()) {
            // given node A runs, when it is asked to stop (grace 1 s), a short run and two long ones: one of a
            // task without retries, one of a task allowed one retry
            UUID quick = fx.task(QueueFixture.TaskRow.defaults());
            UUID once = fx.task(QueueFixture.TaskRow.defaults().retries(0, "fixed"));
            UUID retried = fx.task(QueueFixture.TaskRow.defaults().retries(1, "fixed"));
            RunProperties runs = QueueFixture.runs(Duration.ofMillis(100), Duration.ofSeconds(1));
            DueWorkQueue queue = fx.queue(runs);
            UUID quickRun = queue.enqueueNow(quick, "run_now", fx.clock.instant());
            UUID onceRun = queue.enqueueNow(once, "run_now", fx.clock.instant());
            UUID retriedRun = queue.enqueueNow(retried, "run_now", fx.clock.instant());
            CountDownLatch allStarted = new CountDownLatch(3);
            AtomicInteger interrupted = new AtomicInteger();
            ExecutorPool a = fx.node("node-a", run -> {
                allStarted.countDown();
                try {
                    Thread.sleep(run.taskId().equals(quick) ? 300 : 30_000);
                } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                }
                return RunResult.succeeded(null);
            }, QueueFixture.executor(4, 30, 1), runs, () -> 0.5);
            assertThat(allStarted.await(30, TimeUnit.SECONDS)).isTrue();

            // when it stops
            long t0 = System.nanoTime();
            a.stop();
            Duration took = Duration.ofNanos(System.nanoTime() - t0);

            // then the short run was recorded, the long ones interrupted and each recorded as a failed attempt
            // (well under the 30 s the long runs would take: they were interrupted after the 1 s grace)
            assertThat(took).isLessThan(Duration.ofSeconds(15));
            assertThat(interrupted).hasValue(2);
            assertThat(fx.history(quick)).singleElement().satisfies(r -> assertThat(r).containsEntry("id", quickRun)
                    .containsEntry("status", "succeeded"));
            // the run without retries is over: failed, executed once
            assertThat(fx.history(once)).singleElement().satisfies(r -> {
                assertThat(r).containsEntry("id", onceRun).containsEntry("status", "failed").containsEntry("attempt", 1)
                        .containsEntry("lease_owner", "node-a");
                assertThat((String) r.get("error")).contains("node shut down during the run");
            });
            assertThat(fx.queueRow(onceRun)).isNull();
            // the run with a retry left goes on as its next attempt, after its backoff like any failed attempt
            assertThat(fx.history(retried)).singleElement().satisfies(r -> {
                assertThat(r).containsEntry("run_id", retriedRun).containsEntry("status", "failed").containsEntry("attempt", 1);
                assertThat((String) r.get("error")).contains("node shut down during the run");
            });
            assertThat(fx.queueRow(retriedRun)).containsEntry("attempt", 2).containsEntry("trigger", "retry")
                    .containsEntry("locked_by", null);

            // and another node runs the retry, but never the run that allowed no retries
            Map<UUID, AtomicInteger> ranOnB = new ConcurrentHashMap<>();
            fx.node("node-b", run -> {
                ranOnB.computeIfAbsent(run.taskId(), t -> new AtomicInteger()).incrementAndGet();
                return RunResult.succeeded(null);
            }, QueueFixture.executor(4, 30, 1), runs, () -> 0.5);
            Eventually.until("retry finished on B", () -> fx.history(retried).size() == 2);
            assertThat(fx.history(retried).get(1)).containsEntry("id", retriedRun).containsEntry("status", "succeeded")
                    .containsEntry("attempt", 2).containsEntry("lease_owner", "node-b");
            LeaseRecoveryTest.sleep(1_000);
            assertThat(ranOnB).containsOnlyKeys(retried);
            assertThat(fx.history(once)).hasSize(1);
        }
    }

    @Test
    void a_run_settled_before_its_worker_began_it_never_begins() {
        ClaimedRun run = new ClaimedRun(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), Instant.now(), Instant.now(),
                "run_now", 1, "t", "UTC", "{}", 0, "fixed", null, null, null, Instant.now());
        // shutdown first: the run is released as never started, and its worker may not begin it
        Execution first = new Execution(run, 60, Instant.now());
        assertThat(first.settleBeforeStart()).isTrue();
        assertThat(first.begin(Thread.currentThread(), Instant.now())).isFalse();
        // the worker first: the run counts as started, so shutdown must end it as an attempt, not release it
        Execution second = new Execution(run, 60, Instant.now());
        assertThat(second.begin(Thread.currentThread(), Instant.now())).isTrue();
        assertThat(second.settleBeforeStart()).isFalse();
        assertThat(second.settle()).isTrue();
    }

    @Test
    void cancel_removes_a_queued_run_and_interrupts_a_running_one() throws Exception {
        try (QueueFixture fx = new QueueFixture()) {
            UUID task = fx.task(QueueFixture.TaskRow.defaults().allowOverlap());
            DueWorkQueue queue = fx.queue();
            RunCommands commands = new RunCommands(fx.jdbc, fx.clock, RunProperties.defaults());

            // a queued run (no node yet) is canceled at once
            UUID queuedRun = queue.enqueueNow(task, "run_now", fx.clock.instant());
            RunCommands.Result canceled = commands.cancel(queuedRun);
            assertThat(canceled.applied()).isTrue();
            assertThat(canceled.status()).isEqualTo(RunStatus.CANCELED);
            assertThat(fx.history(task).get(0)).containsEntry("id", queuedRun).containsEntry("status", "canceled");

            // a running run is interrupted by its node and recorded as canceled
            CountDownLatch started = new CountDownLatch(1);
            AtomicBoolean interrupted = new AtomicBoolean();
            fx.node("node-a", run -> {
                started.countDown();
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    interrupted.set(true);
                }
                return RunResult.succeeded(null);
            }, QueueFixture.executor(2, 30, 0));
            UUID runningRun = queue.enqueueNow(task, "run_now", fx.clock.instant());
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            RunCommands.Result requested = commands.cancel(runningRun);
            assertThat(requested.applied()).isTrue();
            assertThat(requested.status()).isEqualTo(RunStatus.RUNNING);
            Eventually.until("canceled run recorded", Duration.ofSeconds(20), () -> fx.history(task).size() == 2);
            assertThat(fx.history(task).get(1)).containsEntry("id", runningRun).containsEntry("status", "canceled")
                    .containsEntry("success", false);
            Eventually.until("thread interrupted", interrupted::get);

            // an ended run cannot be canceled; an unknown one is not found
            assertThat(commands.cancel(runningRun).applied()).isFalse();
            assertThat(commands.cancel(UUID.randomUUID()).found()).isFalse();
        }
    }
}
