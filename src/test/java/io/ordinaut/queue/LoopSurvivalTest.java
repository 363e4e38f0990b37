package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * An Error — a bug, a broken plug-in — thrown inside the executor's machinery ends neither the claim
 * loop nor a duty: the node goes on running work, and the failures are counted.
 */
class LoopSurvivalTest {

    @Test
    void the_claim_loop_survives_an_error_thrown_while_claiming_and_the_node_runs_later_work() {
        try (QueueFixture fx = new QueueFixture()) {
            // given a node whose first two claims throw an Error (30 s leases: expiry cannot help)
            UUID task = fx.task(QueueFixture.TaskRow.defaults().allowOverlap());
            FaultyStatements faults = new FaultyStatements();
            faults.claimErrorsToThrow.set(2);
            UUID first = fx.queue().enqueueNow(task, "run_now", fx.clock.instant());
            ExecutorPool node = fx.node("node-a", faults.wrap(fx.pooled("node-a", fx.url)), fx.clock,
                    run -> RunResult.succeeded(null), QueueFixture.executor(2, 30, 0), RunProperties.defaults());

            // when the claims have failed and more work arrives
            await().atMost(Duration.ofSeconds(15)).until(() -> faults.claimErrorsToThrow.get() == 0);
            UUID later = fx.queue().enqueueNow(task, "run_now", fx.clock.instant());

            // then the node runs both runs, and counts the failed claim rounds
            await().atMost(Duration.ofSeconds(15)).until(() -> fx.history(task).size() == 2);
            assertThat(fx.history(task)).extracting(row -> row.get("id")).containsExactlyInAnyOrder(first, later);
            assertThat(fx.history(task)).allSatisfy(row -> assertThat(row).containsEntry("status", "succeeded"));
            assertThat(node.loopFailures()).containsEntry("ordinaut-claim-loop", 2L);
            assertThat(node.state()).isEqualTo(ExecutorPool.State.RUNNING);
        }
    }

    @Test
    void an_error_thrown_by_a_run_handler_fails_the_attempt_at_once_and_the_node_runs_later_work() {
        try (QueueFixture fx = new QueueFixture()) {
            // given a node with one worker whose handler throws an Error on a run's first attempt
            // (30 s leases: the attempt must end now, not when its lease runs out)
            UUID task = fx.task(QueueFixture.TaskRow.defaults().retries(1, "fixed"));
            RunProperties runs = QueueFixture.runs(Duration.ofMillis(100), Duration.ofSeconds(1));
            AtomicInteger errors = new AtomicInteger();
            UUID runId = fx.queue(runs).enqueueNow(task, "run_now", fx.clock.instant());
            fx.node("node-a", run -> {
                if (run.taskId().equals(task) && run.attempt() == 1) {
                    errors.incrementAndGet();
                    throw new AssertionError("broken invariant in a plug-in");
                }
                return RunResult.succeeded(Map.of("attempt", run.attempt()));
            }, QueueFixture.executor(1, 30, 0), runs, () -> 0.5);

            // when the attempt has failed, then it is recorded as failed with the error, and retried
            await().atMost(Duration.ofSeconds(15)).until(() -> fx.history(task).size() == 2);
            List<Map<String, Object>> history = fx.history(task);
            assertThat(history.get(0)).containsEntry("status", "failed").containsEntry("attempt", 1);
            assertThat((String) history.get(0).get("error")).contains("AssertionError").contains("broken invariant");
            assertThat(history.get(1)).containsEntry("id", runId).containsEntry("status", "succeeded").containsEntry("attempt", 2);

            // and the node's only worker goes on to run later work
            UUID later = fx.task(QueueFixture.TaskRow.defaults());
            fx.queue(runs).enqueueNow(later, "run_now", fx.clock.instant());
            await().atMost(Duration.ofSeconds(15)).until(() -> fx.history(later).size() == 1);
            assertThat(fx.history(later).get(0)).containsEntry("status", "succeeded");
            assertThat(errors).hasValue(1);
        }
    }

    @Test
    void a_duty_whose_action_throws_errors_keeps_running_and_counts_them() {
        // given a duty whose first three rounds throw an Error
        AtomicInteger rounds = new AtomicInteger();
        Duty duty = new Duty("test-duty", 10, () -> {
            if (rounds.incrementAndGet() <= 3) {
                throw new FaultyStatements.InjectedError("bug in a duty");
            }
        });

        // when it runs, then later rounds still run, and the failures are counted
        duty.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> rounds.get() >= 6);
            assertThat(duty.failures()).isEqualTo(3);
        } finally {
            duty.stop();
        }
    }
}
