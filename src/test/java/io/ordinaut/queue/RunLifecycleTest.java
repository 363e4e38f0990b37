package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

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
            assertThat(hung.await(10, TimeUnit.SECONDS)).isTrue();

            // when the timeout passes, the attempt fails, its thread is interrupted and the run is retried
            QueueFixture.await("both attempts recorded", Duration.ofSeconds(10), () -> fx.history(task).size() == 2);
            List<Map<String, Object>> history = fx.history(task);
            assertThat(history.get(0)).containsEntry("status", "failed").containsEntry("attempt", 1);
            assertThat((String) history.get(0).get("error")).contains("timed out after 1 s");
            assertThat(history.get(1)).containsEntry("id", runId).containsEntry("status", "succeeded").containsEntry("attempt", 2);
            assertThat(interrupted).isTrue();
            assertThat(fx.queueRow(runId)).isNull();
        }
    }

    @Test
    void graceful_shutdown_finishes_short_runs_and_releases_the_rest_to_another_node() throws Exception {
        try (QueueFixture fx = new QueueFixture()) {
            // given node A runs a short run and a long one when it is asked to stop (grace 1 s)
            UUID quick = fx.task(QueueFixture.TaskRow.defaults());
            UUID stuck = fx.task(QueueFixture.TaskRow.defaults());
            DueWorkQueue queue = fx.queue();
            UUID quickRun = queue.enqueueNow(quick, "run_now", fx.clock.instant());
            UUID stuckRun = queue.enqueueNow(stuck, "run_now", fx.clock.instant());
            CountDownLatch bothStarted = new CountDownLatch(2);
            AtomicBoolean stuckInterrupted = new AtomicBoolean();
            ExecutorPool a = fx.node("node-a", run -> {
                bothStarted.countDown();
                try {
                    Thread.sleep(run.taskId().equals(quick) ? 300 : 30_000);
                } catch (InterruptedException e) {
                    stuckInterrupted.set(true);
                }
                return RunResult.succeeded(null);
            }, QueueFixture.executor(4, 30, 1));
            assertThat(bothStarted.await(10, TimeUnit.SECONDS)).isTrue();

            // when it stops
            long t0 = System.nanoTime();
            a.stop();
            Duration took = Duration.ofNanos(System.nanoTime() - t0);

            // then the short run was recorded, the long one interrupted and handed back at once
            assertThat(took).isLessThan(Duration.ofSeconds(5));
            assertThat(stuckInterrupted).isTrue();
            assertThat(fx.history(quick)).singleElement().satisfies(r -> assertThat(r).containsEntry("id", quickRun)
                    .containsEntry("status", "succeeded"));
            Map<String, Object> released = fx.history(stuck).get(0);
            assertThat(released).containsEntry("status", "failed").containsEntry("lease_owner", "node-a");
            assertThat((String) released.get("error")).contains("released", "shut down");
            assertThat(fx.queueRow(stuckRun)).containsEntry("attempt", 2).containsEntry("trigger", "reclaim")
                    .containsEntry("locked_by", null);

            // and another node takes it without waiting for a lease to expire
            AtomicInteger ranOnB = new AtomicInteger();
            Instant bStarted = Instant.now();
            fx.node("node-b", run -> {
                ranOnB.incrementAndGet();
                return RunResult.succeeded(null);
            }, QueueFixture.executor(4, 30, 1));
            QueueFixture.await("released run finished on B", Duration.ofSeconds(5), () -> fx.history(stuck).size() == 2);
            assertThat(Duration.between(bStarted, Instant.now())).isLessThan(Duration.ofSeconds(3));
            assertThat(fx.history(stuck).get(1)).containsEntry("id", stuckRun).containsEntry("status", "succeeded")
                    .containsEntry("lease_owner", "node-b");
            assertThat(ranOnB).hasValue(1);
        }
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
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            RunCommands.Result requested = commands.cancel(runningRun);
            assertThat(requested.applied()).isTrue();
            assertThat(requested.status()).isEqualTo(RunStatus.RUNNING);
            QueueFixture.await("canceled run recorded", Duration.ofSeconds(5), () -> fx.history(task).size() == 2);
            assertThat(fx.history(task).get(1)).containsEntry("id", runningRun).containsEntry("status", "canceled")
                    .containsEntry("success", false);
            QueueFixture.await("thread interrupted", Duration.ofSeconds(5), interrupted::get);

            // an ended run cannot be canceled; an unknown one is not found
            assertThat(commands.cancel(runningRun).applied()).isFalse();
            assertThat(commands.cancel(UUID.randomUUID()).found()).isFalse();
        }
    }
}
