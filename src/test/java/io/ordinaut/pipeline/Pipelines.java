package io.ordinaut.pipeline;

import io.ordinaut.support.PipelineSteps;
import io.ordinaut.tool.ToolCall;
import io.ordinaut.tool.ToolInvoker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Shared fixtures: a fixed clock, a run context, and a tool that records calls and answers from a script. */
final class Pipelines {

    static final Instant NOW = Instant.parse("2025-01-15T20:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final ExecutorService CALLS = Executors.newCachedThreadPool();

    private Pipelines() {
    }

    static RunContext context() {
        return new RunContext("task-1", "Morning briefing", ZoneId.of("Asia/Tokyo"), "run-1", 1,
                Instant.parse("2025-01-15T19:59:00Z"), "schedule");
    }

    static PipelineRunner runner(ToolInvoker tools) {
        return new PipelineRunner(tools, CLOCK, CALLS, Duration.ZERO);
    }

    static Map<String, Object> step(String id, String uses, Object... keyValues) {
        return PipelineSteps.step(id, uses, null, keyValues);
    }

    static Map<String, Object> payload(Map<String, Object> params, List<?> steps) {
        return Map.of("params", params, "pipeline", steps);
    }

    /** A tool that records each call and answers with a function of the call. */
    static final class RecordingTool implements ToolInvoker {
        final List<ToolCall> calls = new CopyOnWriteArrayList<>();
        private final ToolInvoker answer;

        RecordingTool(ToolInvoker answer) {
            this.answer = answer;
        }

        @Override
        public Object invoke(ToolCall call) {
            calls.add(call);
            return answer.invoke(call);
        }

        List<ToolCall> callsTo(String address) {
            return calls.stream().filter(c -> c.address().equals(address)).toList();
        }
    }
}
