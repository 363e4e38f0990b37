package io.ordinaut.pipeline;

import io.ordinaut.pipeline.Pipelines.RecordingTool;
import io.ordinaut.support.Eventually;
import io.ordinaut.tool.ToolCall;
import io.ordinaut.tool.ToolCallException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.ordinaut.pipeline.Pipelines.step;
import static io.ordinaut.pipeline.TemplateSemanticsTest.map;
import static org.assertj.core.api.Assertions.assertThat;

class PipelineRunnerTest {

    private static PipelineDefinition parse(Object... steps) {
        return PipelineDefinition.parse(Map.of("params", Map.of("go", false), "pipeline", List.of(steps)), null);
    }

    @Test
    void empty_pipeline_succeeds_with_empty_output() {
        PipelineResult result = Pipelines.runner(call -> Map.of()).run(parse(), Pipelines.context());

        assertThat(result.success()).isTrue();
        assertThat(result.error()).isNull();
        assertThat(result.output()).isEqualTo(map("steps", Map.of(), "trace", List.of()));
    }

    @Test
    void outputs_are_saved_under_save_as_or_id_and_trace_describes_each_step() {
        RecordingTool tool = new RecordingTool(call -> Map.of("from", call.address()));

        PipelineResult result = Pipelines.runner(tool).run(parse(
                step("first", "a.one", "save_as", "data"),
                step("second", "a.two", "with", map("prev", "${steps.data.from}"))), Pipelines.context());

        assertThat(result.success()).isTrue();
        assertThat(result.steps()).isEqualTo(map("data", Map.of("from", "a.one"), "second", Map.of("from", "a.two")));
        assertThat(tool.callsTo("a.two").get(0).args()).isEqualTo(Map.of("prev", "a.one"));
        assertThat(result.trace()).hasSize(2);
        assertThat(result.trace().get(0)).containsEntry("id", "first").containsEntry("uses", "a.one")
                .containsEntry("status", "ok").containsEntry("attempts", 1).containsEntry("error", null)
                .containsEntry("started_at", "2025-01-15T20:00:00Z").containsKey("duration_ms");
    }

    @Test
    void skipped_step_saves_nothing_and_later_references_read_null() {
        RecordingTool tool = new RecordingTool(call -> Map.of("v", 1));

        PipelineResult result = Pipelines.runner(tool).run(parse(
                step("maybe", "a.maybe", "if", "params.go"),
                step("after", "a.after", "with", map("v", "${steps.maybe.v}", "t", "[${steps.maybe.v}]"))), Pipelines.context());

        assertThat(result.success()).isTrue();
        assertThat(tool.callsTo("a.maybe")).isEmpty();
        assertThat(result.trace().get(0)).containsEntry("status", "skipped").containsEntry("attempts", 0);
        assertThat(result.steps()).doesNotContainKey("maybe");
        assertThat(tool.callsTo("a.after").get(0).args()).isEqualTo(map("v", null, "t", "[]"));
    }

    @Test
    void failure_with_continue_on_error_is_recorded_and_the_run_goes_on() {
        RecordingTool tool = new RecordingTool(call -> {
            if (call.address().equals("a.bad")) {
                throw ToolCallException.permanent("bad request");
            }
            return Map.of();
        });

        PipelineResult result = Pipelines.runner(tool).run(parse(
                step("bad", "a.bad", "continue_on_error", true),
                step("good", "a.good")), Pipelines.context());

        assertThat(result.success()).isTrue();
        assertThat(result.error()).isNull();
        assertThat(result.trace().get(0)).containsEntry("status", "failed").containsEntry("error", "bad request");
        assertThat(result.trace().get(1)).containsEntry("status", "ok");
        assertThat(result.steps()).containsOnlyKeys("good");
    }

    @Test
    void failure_without_continue_on_error_stops_the_run() {
        RecordingTool tool = new RecordingTool(call -> {
            throw ToolCallException.permanent("HTTP 400: city is required");
        });

        PipelineResult result = Pipelines.runner(tool).run(parse(
                step("bad", "a.bad", "max_retries", 3),
                step("never", "a.never")), Pipelines.context());

        assertThat(result.success()).isFalse();
        assertThat(result.retryable()).isFalse();
        assertThat(result.failedStep()).isEqualTo("bad");
        assertThat(result.error()).contains("step 'bad' (a.bad) failed").contains("city is required");
        assertThat(tool.calls).hasSize(1);
        assertThat(result.trace()).hasSize(1);
    }

    @Test
    void retryable_failures_are_retried_with_the_same_idempotency_key_until_success() {
        AtomicInteger attempts = new AtomicInteger();
        RecordingTool tool = new RecordingTool(call -> {
            if (attempts.incrementAndGet() < 3) {
                throw ToolCallException.retryable("HTTP 503");
            }
            return Map.of("ok", true);
        });

        PipelineResult result = Pipelines.runner(tool).run(parse(step("flaky", "a.flaky", "max_retries", 2)), Pipelines.context());

        assertThat(result.success()).isTrue();
        assertThat(result.trace().get(0)).containsEntry("attempts", 3).containsEntry("status", "ok");
        assertThat(tool.calls).extracting(ToolCall::idempotencyKey).containsOnly(
                ToolCall.idempotencyKey("task-1", Pipelines.context().scheduledFor(), "flaky"));
    }

    @Test
    void retries_exhausted_leave_the_run_retryable() {
        RecordingTool tool = new RecordingTool(call -> {
            throw ToolCallException.retryable("HTTP 503");
        });

        PipelineResult result = Pipelines.runner(tool).run(parse(step("flaky", "a.flaky", "max_retries", 1)), Pipelines.context());

        assertThat(result.success()).isFalse();
        assertThat(result.retryable()).isTrue();
        assertThat(tool.calls).hasSize(2);
        assertThat(result.trace().get(0)).containsEntry("attempts", 2);
        assertThat(result.error()).contains("after 2 attempts");
    }

    @Test
    void step_timeout_abandons_the_call_as_retryable() {
        CountDownLatch interrupted = new CountDownLatch(1);
        RecordingTool tool = new RecordingTool(call -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return Map.of();
        });
        long start = System.nanoTime();

        PipelineResult result = Pipelines.runner(tool).run(parse(step("slow", "a.slow", "timeout_seconds", 1)), Pipelines.context());

        // far below the 60 s the call would take: the run did not wait for it (margin for a loaded machine)
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(result.success()).isFalse();
        assertThat(result.retryable()).isTrue();
        assertThat(result.error()).contains("timed out after 1s");
        assertThat(tool.calls.get(0).timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(Eventually.released(interrupted)).as("the abandoned call is interrupted").isTrue();
    }

    @Test
    void interrupting_the_run_stops_it_promptly_and_says_so() throws Exception {
        CountDownLatch calling = new CountDownLatch(1);
        RecordingTool tool = new RecordingTool(call -> {
            calling.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Map.of();
        });
        AtomicReference<PipelineResult> result = new AtomicReference<>();
        AtomicReference<Boolean> flagAfterRun = new AtomicReference<>();
        Thread runThread = new Thread(() -> {
            result.set(Pipelines.runner(tool).run(parse(step("slow", "a.slow", "timeout_seconds", 60),
                    step("next", "a.next")), Pipelines.context()));
            flagAfterRun.set(Thread.currentThread().isInterrupted());
        });
        runThread.start();
        assertThat(calling.await(30, TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();

        runThread.interrupt();
        runThread.join(30_000);

        // far below the 60 s the call would take (margin for a loaded machine)
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(result.get().interrupted()).isTrue();
        assertThat(result.get().success()).isFalse();
        assertThat(result.get().error()).contains("interrupted during step 'slow'");
        assertThat(flagAfterRun.get()).isTrue();
        assertThat(tool.callsTo("a.next")).isEmpty();
    }

    @Test
    void unexpected_tool_exception_fails_the_step_without_retry() {
        RecordingTool tool = new RecordingTool(call -> {
            throw new IllegalStateException("adapter bug");
        });

        PipelineResult result = Pipelines.runner(tool).run(parse(step("x", "a.x", "max_retries", 3)), Pipelines.context());

        assertThat(result.success()).isFalse();
        assertThat(result.retryable()).isFalse();
        assertThat(result.error()).contains("adapter bug");
        assertThat(tool.calls).hasSize(1);
    }

    @Test
    void immediate_tool_runs_on_the_run_thread_and_blocking_tool_does_not() {
        Thread runThread = Thread.currentThread();
        Map<String, Thread> threads = new java.util.concurrent.ConcurrentHashMap<>();
        io.ordinaut.tool.ToolInvoker tool = new io.ordinaut.tool.ToolInvoker() {
            @Override
            public Object invoke(ToolCall call) {
                threads.put(call.address(), Thread.currentThread());
                return Map.of();
            }

            @Override
            public boolean completesImmediately(ToolCall call) {
                return call.address().equals("a.instant");
            }
        };

        Pipelines.runner(tool).run(parse(step("instant", "a.instant"), step("remote", "a.remote")), Pipelines.context());

        assertThat(threads.get("a.instant")).isSameAs(runThread);
        assertThat(threads.get("a.remote")).isNotSameAs(runThread);
    }
}
