package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import io.ordinaut.support.Eventually;

/** While a run executes, its worker thread's log context names the task and the run (for JSON logs). */
class RunLogContextTest {

    @Test
    void each_run_logs_with_its_own_task_and_run_id_and_the_worker_keeps_none_after() throws Exception {
        try (QueueFixture fx = new QueueFixture()) {
            // given two runs of two tasks, executed one after the other by a single worker
            UUID first = fx.task(QueueFixture.TaskRow.defaults());
            UUID second = fx.task(QueueFixture.TaskRow.defaults());
            DueWorkQueue queue = fx.queue();
            UUID firstRun = queue.enqueueNow(first, "run_now", fx.clock.instant());
            UUID secondRun = queue.enqueueNow(second, "run_now", fx.clock.instant());
            Map<UUID, Map<String, String>> seen = new ConcurrentHashMap<>();

            // when they run
            fx.node("node-a", run -> {
                Map<String, String> context = MDC.getCopyOfContextMap();
                seen.put(run.id(), context == null ? Map.of() : Map.copyOf(context));
                return RunResult.succeeded(null);
            }, QueueFixture.executor(1, 30, 0));
            Eventually.until("both runs executed", () -> seen.size() == 2);

            // then each saw its own ids
            assertThat(seen.get(firstRun)).containsEntry("task_id", first.toString()).containsEntry("run_id", firstRun.toString());
            assertThat(seen.get(secondRun)).containsEntry("task_id", second.toString()).containsEntry("run_id", secondRun.toString());
        }
    }
}
