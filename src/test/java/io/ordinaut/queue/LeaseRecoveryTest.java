package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.metrics.OrdinautMetrics;
import io.ordinaut.pipeline.PipelineDefinition;
import io.ordinaut.pipeline.PipelineProgress;
import io.ordinaut.pipeline.PipelineRunner;
import io.ordinaut.pipeline.RunContext;
import io.ordinaut.support.Eventually;

/** Leases: a dead node's runs are reclaimed, a live node's long runs are not, and stale results are fenced off. */
@Tag("cluster")
class LeaseRecoveryTest {

    @Test
    void a_run_abandoned_by_a_dead_node_is_reclaimed_and_its_late_result_rejected() throws Exception {
        try (QueueFixture fx = new QueueFixture()) {
            // given node A holds a run and then dies without a word
            UUID task = fx.task(QueueFixture.TaskRow.defaults());
            UUID runId = fx.queue().enqueueNow(task, "run_now", fx.clock.instant());
            CountDownLatch started = new CountDownLatch(1);
            ExecutorPool a = fx.node("node-a", run -> {
                started.countDown();
                sleep(60_000);
                return RunResult.succeeded(null);
            }, QueueFixture.executor(2, 1, 0));
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            ClaimedRun stale = a.executions().get(0).run();
            Instant staleStart = a.executions().get(0).startedAt();
            a.halt();

            // when node B comes up, the lease expires and B reclaims the run
            AtomicInteger ranOnB = new AtomicInteger();
            fx.node("node-b", run -> {
                ranOnB.incrementAndGet();
                return RunResult.succeeded(Map.of("by", "b"));
            }, QueueFixture.executor(2, 1, 0));
            Eventually.until("run finished on B", () -> fx.queueRow(runId) == null && fx.history(task).size() == 2);

            // then the lost attempt and the reclaimed one are both recorded
            List<Map<String, Object>> history = fx.history(task);
            Map<String, Object> lost = history.get(0);
            assertThat(lost.get("run_id")).isEqualTo(runId);
            assertThat(lost.get("id")).isNotEqualTo(runId);
            assertThat(lost).containsEntry("status", "failed").containsEntry("attempt", 1).containsEntry("lease_owner", "node-a")
                    .containsEntry("trigger", "run_now");
            assertThat((String) lost.get("error")).contains("lease expired", "node-a", "reclaimed as attempt 2");
            Map<String, Object> done = history.get(1);
            assertThat(done).containsEntry("id", runId).containsEntry("status", "succeeded").containsEntry("attempt", 2)
                    .containsEntry("trigger", "reclaim").containsEntry("lease_owner", "node-b");
            assertThat(ranOnB).hasValue(1);

            // and A's late completion, fenced by its old lease token, changes nothing
            Completions completions = new Completions(fx.jdbc, JsonMapper.builder().build(), 60);
            Outcome late = Outcome.of(stale, RunResult.succeeded(Map.of("by", "a")), staleStart, fx.clock.instant(),
                    new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), () -> 0.5));
            assertThat(completions.finish("node-a", List.of(late))).isZero();
            assertThat(fx.history(task)).hasSize(2);
            assertThat(fx.history(task).get(1)).containsEntry("lease_owner", "node-b");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void a_run_lost_with_its_node_is_recorded_with_what_its_finished_steps_did() throws Exception {
        try (QueueFixture fx = new QueueFixture()) {
            // given node A runs a two-step pipeline: the first step has ended, the second hangs
            UUID task = fx.task(QueueFixture.TaskRow.defaults().retries(0, "fixed"));
            UUID runId = fx.queue().enqueueNow(task, "run_now", fx.clock.instant());
            CountDownLatch inSecondStep = new CountDownLatch(1);
            PipelineRunner runner = new PipelineRunner(call -> {
                if (call.address().equals("geo.locate")) {
                    return Map.of("lat", 47.0);
                }
                inSecondStep.countDown();
                sleep(60_000);
                return Map.of();
            }, Clock.systemUTC());
            PipelineDefinition pipeline = PipelineDefinition.parse(Map.of("pipeline", List.of(
                    Map.of("id", "locate", "uses", "geo.locate"), Map.of("id", "weather", "uses", "weather.get"))), null);
            ExecutorPool a = fx.node("node-a", new RunHandler() {
                @Override
                public RunResult execute(ClaimedRun run) {
                    throw new AssertionError("the pool tells the handler of its progress");
                }

                @Override
                public RunResult execute(ClaimedRun run, PipelineProgress progress) {
                    RunContext context = new RunContext(run.taskId().toString(), run.taskTitle(), ZoneOffset.UTC,
                            run.id().toString(), run.attempt(), run.scheduledFor(), run.trigger());
                    return RunResult.succeeded(runner.run(pipeline, context, progress).output());
                }
            }, QueueFixture.executor(2, 2, 0));
            assertThat(inSecondStep.await(30, TimeUnit.SECONDS)).isTrue();
            Eventually.until("progress written with the lease", () -> fx.queueRow(runId).get("progress") != null);

            // when A dies and node B reclaims the run
            a.halt();
            fx.node("node-b", run -> RunResult.succeeded(null), QueueFixture.executor(2, 2, 0));
            Eventually.until("lost attempt recorded", () -> fx.history(task).size() == 1);

            // then the lost attempt's record keeps the first step's output and trace, and names the step A was in
            Map<String, Object> lost = fx.history(task).get(0);
            assertThat(lost).containsEntry("id", runId).containsEntry("status", "failed").containsEntry("lease_owner", "node-a");
            assertThat((String) lost.get("error")).contains("lease expired", "last seen in step 2 of 2 'weather' (weather.get)",
                    "no retries left");
            Map<String, Object> output = JsonMapper.shared().readValue(String.valueOf(lost.get("output")), Map.class);
            assertThat(output.get("steps")).isEqualTo(Map.of("locate", Map.of("lat", 47.0)));
            assertThat((List<Map<String, Object>>) output.get("trace")).singleElement()
                    .satisfies(step -> assertThat(step).containsEntry("id", "locate").containsEntry("status", "ok"));
        }
    }

    @Test
    void a_run_longer_than_its_lease_keeps_the_lease_while_its_node_lives() {
        try (QueueFixture fx = new QueueFixture()) {
            UUID task = fx.task(QueueFixture.TaskRow.defaults());
            UUID runId = fx.queue().enqueueNow(task, "run_now", fx.clock.instant());
            AtomicInteger executions = new AtomicInteger();
            RunHandler slow = run -> {
                executions.incrementAndGet();
                sleep(2_500);
                return RunResult.succeeded(null);
            };
            // two nodes with 1 s leases: renewal must keep the other from reclaiming the 2.5 s run
            fx.node("node-a", slow, QueueFixture.executor(1, 1, 0));
            fx.node("node-b", slow, QueueFixture.executor(1, 1, 0));

            Eventually.until("run recorded", () -> fx.history(task).size() == 1);
            assertThat(fx.history(task).get(0)).containsEntry("id", runId).containsEntry("status", "succeeded")
                    .containsEntry("attempt", 1);
            assertThat(executions).hasValue(1);
        }
    }

    @Test
    void a_run_without_retries_whose_node_was_lost_is_recorded_failed_and_never_run_again() throws Exception {
        try (QueueFixture fx = new QueueFixture()) {
            // given node A runs a task that allows no retries, and dies mid-run
            UUID task = fx.task(QueueFixture.TaskRow.defaults().retries(0, "fixed"));
            UUID runId = fx.queue().enqueueNow(task, "run_now", fx.clock.instant());
            CountDownLatch started = new CountDownLatch(1);
            ExecutorPool a = fx.node("node-a", run -> {
                started.countDown();
                sleep(60_000);
                return RunResult.succeeded(null);
            }, QueueFixture.executor(2, 1, 0));
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            a.halt();

            // when node B finds its lease expired
            AtomicInteger ranOnB = new AtomicInteger();
            fx.node("node-b", run -> {
                ranOnB.incrementAndGet();
                return RunResult.succeeded(null);
            }, QueueFixture.executor(2, 1, 0));
            Eventually.until("lost run recorded", () -> fx.history(task).size() == 1);

            // then the run ends failed under its own id, executed once: it may have had its effects on A
            Map<String, Object> lost = fx.history(task).get(0);
            assertThat(lost).containsEntry("id", runId).containsEntry("status", "failed").containsEntry("attempt", 1)
                    .containsEntry("lease_owner", "node-a");
            assertThat((String) lost.get("error")).contains("lease expired; the node running it was lost");
            assertThat(fx.queueRow(runId)).isNull();
            sleep(1_500);
            assertThat(ranOnB).hasValue(0);
            assertThat(fx.history(task)).hasSize(1);
        }
    }

    @Test
    void a_claim_whose_reply_was_lost_is_put_back_at_once_and_its_run_executes_once() {
        try (QueueFixture fx = new QueueFixture()) {
            // given a run of a task without retries and with a concurrency key
            UUID task = fx.task(QueueFixture.TaskRow.defaults().retries(0, "fixed").concurrency("lost-reply", 1));
            UUID runId = fx.queue().enqueueNow(task, "run_now", fx.clock.instant());
            AtomicInteger executions = new AtomicInteger();
            FaultyStatements faults = new FaultyStatements();
            faults.claimRepliesToLose.set(1);

            // when the node's first claim commits but its reply never arrives (30 s lease: expiry cannot help)
            fx.node("node-a", faults.wrap(fx.pooled("node-a", fx.url)), fx.clock, run -> {
                executions.incrementAndGet();
                return RunResult.succeeded(null);
            }, QueueFixture.executor(2, 30, 0), RunProperties.defaults());

            // then the node puts the lost claim's run back before claiming again, and runs it once, promptly
            Eventually.until("run recorded", () -> fx.history(task).size() == 1);
            assertThat(faults.claimRepliesLost).hasValue(1);
            assertThat(executions).hasValue(1);
            assertThat(fx.history(task).get(0)).containsEntry("id", runId).containsEntry("status", "succeeded")
                    .containsEntry("attempt", 1);
            // and the concurrency slot the lost claim took was given back
            assertThat(fx.count("SELECT running FROM concurrency_slot WHERE key LIKE 'agent:%:lost-reply'")).isZero();
        }
    }

    @Test
    void a_database_outage_of_twice_the_lease_does_not_make_another_node_rerun_a_finished_run() throws Exception {
        try (QueueFixture fx = new QueueFixture(); TcpProxy proxy = TcpProxy.to(fx.url)) {
            // given two nodes reaching the database through one relay, with 2 s leases, and a task that
            // allows retries (a reclaimed run would run again)
            UUID task = fx.task(QueueFixture.TaskRow.defaults().retries(3, "fixed"));
            UUID runId = fx.queue().enqueueNow(task, "run_now", fx.clock.instant());
            AtomicInteger executions = new AtomicInteger();
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch outage = new CountDownLatch(1);
            RunHandler handler = run -> {
                executions.incrementAndGet();
                started.countDown();
                Eventually.released(outage);
                return RunResult.succeeded(Map.of("done", true));
            };
            ExecutorProperties executor = QueueFixture.executor(2, 2, 0);
            FaultyStatements faults = new FaultyStatements();
            for (String node : List.of("node-a", "node-b")) {
                fx.node(node, faults.wrap(fx.pooled(node, proxy.url(fx.url))), fx.clock, handler, executor, RunProperties.defaults());
            }
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

            // when the database becomes unreachable for every node, the run succeeds meanwhile, and the
            // outage lasts more than twice the lease
            proxy.cut();
            outage.countDown();
            sleep(5_000);
            assertThat(fx.history(task)).as("nothing can be written during the outage").isEmpty();
            // (and a database just back is slow to take the write: a node must not take the run meanwhile)
            faults.finishDelayMs.set(1_500);
            proxy.restore();

            // then its result is written once the database is back, and no node runs it again
            Eventually.until("result written", () -> !fx.history(task).isEmpty());
            sleep(3_000);
            assertThat(executions).hasValue(1);
            assertThat(fx.history(task)).singleElement().satisfies(r -> assertThat(r).containsEntry("id", runId)
                    .containsEntry("status", "succeeded").containsEntry("attempt", 1));
            assertThat(fx.queueRow(runId)).isNull();
        }
    }

    @Test
    void a_finished_run_keeps_its_lease_while_its_result_waits_to_be_written() {
        try (QueueFixture fx = new QueueFixture()) {
            // given two nodes with 2 s leases whose writes of ended runs lag by twice the lease
            UUID task = fx.task(QueueFixture.TaskRow.defaults().retries(3, "fixed"));
            UUID runId = fx.queue().enqueueNow(task, "run_now", fx.clock.instant());
            AtomicInteger executions = new AtomicInteger();
            RunHandler handler = run -> {
                executions.incrementAndGet();
                return RunResult.succeeded(Map.of("done", true));
            };
            FaultyStatements faults = new FaultyStatements();
            faults.finishDelayMs.set(4_000);
            for (String node : List.of("node-a", "node-b")) {
                fx.node(node, faults.wrap(fx.pooled(node, fx.url)), fx.clock, handler, QueueFixture.executor(2, 2, 0),
                        RunProperties.defaults());
            }

            // when the run succeeds at once but its result is written only 4 s later
            Eventually.until("result written", () -> !fx.history(task).isEmpty());
            sleep(2_000);

            // then its lease was renewed meanwhile: no node reclaimed or re-ran it
            assertThat(executions).hasValue(1);
            assertThat(fx.history(task)).singleElement().satisfies(r -> assertThat(r).containsEntry("id", runId)
                    .containsEntry("status", "succeeded").containsEntry("attempt", 1));
        }
    }

    @Test
    void reclaiming_counts_as_requeued_only_the_runs_given_another_attempt() throws Exception {
        try (QueueFixture fx = new QueueFixture()) {
            // given a node running ten runs when it dies: six of a task without retries, four of one with three
            UUID once = fx.task(QueueFixture.TaskRow.defaults().retries(0, "fixed").allowOverlap());
            UUID retried = fx.task(QueueFixture.TaskRow.defaults().retries(3, "fixed").allowOverlap());
            DueWorkQueue queue = fx.queue();
            fx.enqueue(queue, once, 6);
            fx.enqueue(queue, retried, 4);
            holdUntilLost(fx, 10);

            // when the expired leases are reclaimed
            Leases.Reclaimed reclaimed = new Leases(fx.jdbc, JsonMapper.shared()).reclaimExpired(100);

            // then only the four runs given another attempt count as re-queued; the six without retries ended
            assertThat(reclaimed.total()).isEqualTo(10);
            assertThat(reclaimed.requeued()).isEqualTo(4);
            // and all ten lost attempts were recorded failed, under the trigger they ran by
            assertThat(reclaimed.recorded()).containsExactly(new EndedRuns("failed", "schedule", 10));
            assertThat(fx.count("SELECT count(*) FROM due_work WHERE task_id = ? AND attempt = 2 AND trigger = 'reclaim'", retried))
                    .isEqualTo(4);
            assertThat(fx.count("SELECT count(*) FROM due_work WHERE task_id = ?", once)).isZero();
            assertThat(fx.history(once)).hasSize(6).allSatisfy(r -> {
                assertThat(r).containsEntry("status", "failed");
                assertThat((String) r.get("error")).endsWith("; no retries left");
            });
        }
    }

    @Test
    void the_lost_attempts_a_reaper_records_are_counted_in_ordinaut_runs_total() throws Exception {
        try (QueueFixture fx = new QueueFixture()) {
            // given a node that dies running a retried run, and one whose cancel was requested
            UUID retried = fx.task(QueueFixture.TaskRow.defaults().retries(3, "fixed").allowOverlap());
            DueWorkQueue queue = fx.queue();
            fx.enqueue(queue, retried, 2);
            holdUntilLost(fx, 2);
            fx.jdbc.sql("UPDATE due_work SET cancel_requested = true WHERE id = (SELECT min(id::text)::uuid FROM due_work)").update();

            // when another node's reaper, in contact with the database, takes them back
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            DatabaseContact contact = new DatabaseContact();
            contact.reached();
            new ReclaimExpiredLeases(new Leases(fx.jdbc, JsonMapper.shared()), () -> { }, contact, Duration.ZERO,
                    new OrdinautMetrics(registry)).run();

            // then each lost attempt is counted once, as its history row records it
            assertThat(registry.get("ordinaut.runs").tag("outcome", "failed").tag("trigger", "schedule").counter().count())
                    .isEqualTo(1);
            assertThat(registry.get("ordinaut.runs").tag("outcome", "canceled").tag("trigger", "schedule").counter().count())
                    .isEqualTo(1);
            assertThat(fx.count("SELECT count(*) FROM task_run WHERE status IN ('failed', 'canceled')")).isEqualTo(2);
        }
    }

    /** Node A claims {@code runs} runs and dies running them; returns once their leases have expired. */
    private static void holdUntilLost(QueueFixture fx, int runs) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(runs);
        ExecutorPool a = fx.node("node-a", run -> {
            started.countDown();
            sleep(60_000);
            return RunResult.succeeded(null);
        }, QueueFixture.executor(runs, 1, 0));
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        a.halt();
        Eventually.until("leases expired", () -> fx.count("SELECT count(*) FROM due_work WHERE locked_until < now()") == runs);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
