package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.Eventually;

/** Claiming runs ahead of the free workers while runs are short, and only then. */
class ClaimAheadTest {

    @Test
    void claims_nothing_ahead_before_any_run_ended() {
        assertThat(new RunPace(8, 100).ahead()).isZero();
    }

    @Test
    void claims_a_batch_ahead_when_runs_take_microseconds() {
        // given runs of 20 µs on 8 workers: 2,000 could start within 5 ms
        RunPace pace = new RunPace(8, 100);
        for (int i = 0; i < 10; i++) {
            pace.ran(20_000);
        }

        // then it may claim a whole batch ahead, never more
        assertThat(pace.ahead()).isEqualTo(100);
        assertThat(pace.capacity()).isEqualTo(108);
    }

    @Test
    void claims_nothing_ahead_when_runs_take_a_second() {
        RunPace pace = new RunPace(8, 100);
        for (int i = 0; i < 10; i++) {
            pace.ran(1_000_000_000L);
        }
        assertThat(pace.ahead()).isZero();
    }

    @Test
    void a_node_with_short_runs_holds_runs_ahead_of_its_workers_and_runs_each_once() {
        try (QueueFixture fx = new QueueFixture()) {
            // given 2,000 queued runs of no-op pipelines and a node with 2 workers
            DueWorkQueue queue = fx.queue();
            UUID task = fx.task(QueueFixture.TaskRow.defaults().allowOverlap());
            assertThat(fx.enqueue(queue, task, 2_000)).isEqualTo(2_000);
            AtomicReference<ExecutorPool> pool = new AtomicReference<>();
            AtomicInteger mostHeld = new AtomicInteger();
            Map<UUID, AtomicInteger> executions = new ConcurrentHashMap<>();
            RunHandler handler = run -> {
                ExecutorPool p = pool.get();
                if (p != null) {
                    mostHeld.accumulateAndGet(p.inFlightCount(), Math::max);
                }
                executions.computeIfAbsent(run.id(), id -> new AtomicInteger()).incrementAndGet();
                return RunResult.succeeded(Map.of("ok", true));
            };

            // when it drains them
            pool.set(fx.node("node-a", handler, QueueFixture.executor(2, 30, 5)));
            Eventually.until("all runs recorded", Duration.ofSeconds(60),
                    () -> fx.count("SELECT count(*) FROM task_run") >= 2_000 && fx.count("SELECT count(*) FROM due_work") == 0);

            // then it held more runs than it has workers (the next claim was in flight while they ran),
            // and every run ran exactly once
            assertThat(mostHeld.get()).isGreaterThan(2);
            assertThat(executions).hasSize(2_000);
            assertThat(executions.values()).allMatch(n -> n.get() == 1);
            assertThat(fx.count("SELECT count(DISTINCT run_id) FROM task_run WHERE status = 'succeeded'")).isEqualTo(2_000);
        }
    }

    @Test
    void a_node_busy_with_a_long_run_leaves_the_queue_to_other_nodes() throws Exception {
        try (QueueFixture fx = new QueueFixture()) {
            // given a node with one worker that learned its runs are short
            DueWorkQueue queue = fx.queue();
            UUID quick = fx.task(QueueFixture.TaskRow.defaults().allowOverlap());
            UUID slow = fx.task(QueueFixture.TaskRow.defaults().allowOverlap());
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch slowStarted = new CountDownLatch(1);
            RunHandler handler = run -> {
                if (run.taskId().equals(slow)) {
                    slowStarted.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return RunResult.succeeded(Map.of("ok", true));
            };
            ExecutorPool a = fx.node("node-a", handler, QueueFixture.executor(1, 30, 5));
            fx.enqueue(queue, quick, 200);
            Eventually.until("the quick runs recorded", Duration.ofSeconds(30), () -> fx.count("SELECT count(*) FROM task_run") >= 200);

            // when its worker is taken by a long run and more runs come due
            fx.enqueue(queue, slow, 1);
            assertThat(slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(200);
            fx.enqueue(queue, quick, 20);
            Thread.sleep(500);

            // then it does not hold them: a second node runs them while the long run goes on
            fx.node("node-b", handler, QueueFixture.executor(4, 30, 5));
            Eventually.until("the later quick runs recorded", Duration.ofSeconds(30),
                    () -> fx.count("SELECT count(*) FROM task_run WHERE task_id = '" + quick + "'") >= 220);
            assertThat(fx.count("SELECT count(*) FROM task_run WHERE task_id = '" + quick + "' AND lease_owner = 'node-b'"))
                    .isEqualTo(20);
            assertThat(a.inFlightCount()).isEqualTo(1);
            release.countDown();
            Eventually.until("the long run recorded", Duration.ofSeconds(30),
                    () -> fx.count("SELECT count(*) FROM task_run WHERE task_id = '" + slow + "'") == 1);
            assertThat(fx.count("SELECT count(*) FROM due_work")).isZero();
        }
    }
}
