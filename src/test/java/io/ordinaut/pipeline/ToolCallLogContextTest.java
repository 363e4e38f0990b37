package io.ordinaut.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** A tool call runs on a thread of its own; the run's log context (task_id, run_id) goes with it. */
class ToolCallLogContextTest {

    @Test
    void a_tool_call_on_its_own_thread_logs_with_the_runs_ids_and_leaves_none_behind() {
        List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        Pipelines.RecordingTool tool = new Pipelines.RecordingTool(call -> {
            Map<String, String> context = MDC.getCopyOfContextMap();
            seen.add(context == null ? Map.of() : context);
            threads.add(Thread.currentThread().getName());
            return Map.of();
        });
        PipelineDefinition definition = PipelineDefinition.parse(Map.of("pipeline", List.of(Map.of("id", "a", "uses", "x.y"))), null);

        MDC.put("task_id", "task-1");
        MDC.put("run_id", "run-1");
        try {
            assertThat(Pipelines.runner(tool).run(definition, Pipelines.context()).success()).isTrue();
        } finally {
            MDC.clear();
        }
        assertThat(Pipelines.runner(tool).run(definition, Pipelines.context()).success()).isTrue();

        assertThat(threads.get(0)).isNotEqualTo(Thread.currentThread().getName());
        assertThat(seen.get(0)).containsEntry("task_id", "task-1").containsEntry("run_id", "run-1");
        assertThat(seen.get(1)).as("a later call without a context").doesNotContainKeys("task_id", "run_id");
    }
}
