package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.ordinaut.support.Eventually;

/** Due times and leases are judged by the database's clock: a node whose own clock is 30 s off changes nothing. */
@Tag("cluster")
class ClockSkewTest {

    private static final Duration SKEW = Duration.ofSeconds(30);

    @Test
    void a_node_whose_clock_runs_30_seconds_ahead_does_not_start_work_early() {
        try (QueueFixture fx = new QueueFixture()) {
            // given a run due in 6 s by the database's clock
            UUID task = fx.task(QueueFixture.TaskRow.defaults());
            UUID runId = fx.queue().enqueueNow(task, "run_now", fx.clock.instant());
            fx.jdbc.sql("UPDATE due_work SET run_at = now() + interval '6 seconds', queue_order = now() + interval '6 seconds' WHERE id = :id")
                    .param("id", runId).update();

            // when a node whose clock is 30 s ahead drains the queue
            AtomicInteger executions = new AtomicInteger();
            fx.node("node-fast", fx.pooled("node-fast", fx.url), Clock.offset(Clock.systemUTC(), SKEW), run -> {
                executions.incrementAndGet();
                return RunResult.succeeded(null);
            }, QueueFixture.executor(2, 30, 0), RunProperties.defaults());

            // then it does not start the run before it is due, and does start it once it is
            LeaseRecoveryTest.sleep(3_000);
            assertThat(executions).as("started early").hasValue(0);
            assertThat(fx.queueRow(runId)).containsEntry("locked_by", null);
            Eventually.until("run recorded", () -> fx.history(task).size() == 1);
            assertThat(executions).hasValue(1);
            assertThat(fx.history(task).get(0)).containsEntry("status", "succeeded").containsEntry("attempt", 1);
        }
    }

    @Test
    void nodes_whose_clocks_are_30_seconds_off_neither_steal_a_live_lease_nor_lose_their_own() throws Exception {
        try (QueueFixture fx = new QueueFixture()) {
            // given a node whose clock is 30 s behind runs a 4 s run under 2 s leases
            UUID task = fx.task(QueueFixture.TaskRow.defaults());
            UUID runId = fx.queue().enqueueNow(task, "run_now", fx.clock.instant());
            AtomicInteger executions = new AtomicInteger();
            CountDownLatch started = new CountDownLatch(1);
            RunHandler slow = run -> {
                executions.incrementAndGet();
                started.countDown();
                LeaseRecoveryTest.sleep(4_000);
                return RunResult.succeeded(Map.of("by", "slow"));
            };
            ExecutorProperties executor = QueueFixture.executor(2, 2, 0);
            fx.node("node-behind", fx.pooled("node-behind", fx.url), Clock.offset(Clock.systemUTC(), SKEW.negated()), slow,
                    executor, RunProperties.defaults());
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

            // when a node whose clock is 30 s ahead looks for expired leases all along
            fx.node("node-ahead", fx.pooled("node-ahead", fx.url), Clock.offset(Clock.systemUTC(), SKEW), slow,
                    executor, RunProperties.defaults());

            // then the run is neither taken from its node nor run twice
            Eventually.until("run recorded", () -> fx.history(task).size() == 1);
            LeaseRecoveryTest.sleep(1_000);
            assertThat(executions).hasValue(1);
            assertThat(fx.history(task)).singleElement().satisfies(r -> assertThat(r).containsEntry("id", runId)
                    .containsEntry("status", "succeeded").containsEntry("attempt", 1).containsEntry("lease_owner", "node-behind"));
        }
    }
}
