package io.ordinaut.queue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import io.ordinaut.pipeline.InvalidPipelineException;
import io.ordinaut.pipeline.PipelineDefinition;
import io.ordinaut.pipeline.PipelineResult;
import io.ordinaut.pipeline.PipelineRunner;
import io.ordinaut.pipeline.RunContext;
import tools.jackson.databind.json.JsonMapper;

/** Runs a claimed run's pipeline. Parsed pipelines are cached per task until its payload changes. */
@Component
class PipelineRunHandler implements RunHandler {

    private static final int CACHE_LIMIT = 10_000;

    private final PipelineRunner runner;
    private final JsonMapper json;
    private final Clock clock;
    private final Map<java.util.UUID, ParsedPayload> cache = new ConcurrentHashMap<>();

    PipelineRunHandler(PipelineRunner runner, JsonMapper json, Clock clock) {
        this.runner = runner;
        this.json = json;
        this.clock = clock;
    }

    @Override
    public FinishedRun execute(ClaimedRun run, Instant startedAt) {
        PipelineDefinition definition;
        try {
            definition = definition(run);
        } catch (InvalidPipelineException e) {
            return finished(run, startedAt, false, "invalid pipeline: " + e.getMessage(), null);
        }
        RunContext context = new RunContext(run.taskId().toString(), run.taskTitle(), ZoneId.of(run.timezone()),
                run.id().toString(), run.attempt(), run.scheduledFor(), run.trigger());
        PipelineResult result = runner.run(definition, context);
        return finished(run, startedAt, result.success(), result.error(), result.output());
    }

    private PipelineDefinition definition(ClaimedRun run) {
        ParsedPayload cached = cache.get(run.taskId());
        if (cached != null && cached.json().equals(run.payloadJson())) {
            return cached.definition();
        }
        PipelineDefinition parsed = PipelineDefinition.parse(json.readValue(run.payloadJson(), Map.class), address -> true);
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(run.taskId(), new ParsedPayload(run.payloadJson(), parsed));
        return parsed;
    }

    private FinishedRun finished(ClaimedRun run, Instant startedAt, boolean success, String error, Object output) {
        return new FinishedRun(run.id(), run.taskId(), run.scheduledFor(), run.trigger(), run.attempt(),
                success ? "succeeded" : "failed", success, startedAt, clock.instant(), error, output);
    }

    private record ParsedPayload(String json, PipelineDefinition definition) {
    }
}
