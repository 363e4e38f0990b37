package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.ordinaut.support.Eventually;

/**
 * Several executor pools — separate thread pools, separate connection pools, as separate nodes — drain
 * one queue: every run executes exactly once and is recorded exactly once.
 */
@Tag("cluster")
class ClusterDrainTest {

    private static final int RUNS = 10_000;
    private static final int TASKS = 20;

    @Test
    void three_nodes_drain_ten_thousand_runs_each_exactly_once() {
        try (QueueFixture fx = new QueueFixture()) {
            // given 10,000 queued runs
            DueWorkQueue queue = fx.queue();
            for (int t = 0; t < TASKS; t++) {
                UUID task = fx.task(QueueFixture.TaskRow.defaults().allowOverlap());
                assertThat(fx.enqueue(queue, task, RUNS / TASKS)).isEqualTo(RUNS / TASKS);
            }
            Map<UUID, AtomicInteger> executions = new ConcurrentHashMap<>();
            RunHandler handler = run -> {
                executions.computeIfAbsent(run.id(), id -> new AtomicInteger()).incrementAndGet();
                return RunResult.succeeded(Map.of("ok", true));
            };

            // when three nodes drain it
            for (String node : List.of("node-a", "node-b", "node-c")) {
                fx.node(node, handler, QueueFixture.executor(8, 30, 5));
            }
            Eventually.until("all runs recorded", Duration.ofSeconds(60), () -> fx.count("SELECT count(*) FROM task_run") >= RUNS && fx.count("SELECT count(*) FROM due_work") == 0);

            // then each ran once, none lost, none twice, and each node took part
            assertThat(executions).hasSize(RUNS);
            assertThat(executions.values()).allMatch(n -> n.get() == 1);
            assertThat(fx.count("SELECT count(*) FROM task_run")).isEqualTo(RUNS);
            assertThat(fx.count("SELECT count(DISTINCT run_id) FROM task_run WHERE status = 'succeeded' AND id = run_id")).isEqualTo(RUNS);
            assertThat(fx.count("SELECT count(DISTINCT lease_owner) FROM task_run")).isEqualTo(3);
        }
    }
}
