package io.ordinaut.queue;

import java.time.Clock;
import java.time.ZoneId;
import java.util.Map;

import org.springframework.stereotype.Component;

import io.ordinaut.StoredJson;
import io.ordinaut.agent.AgentScopes;
import io.ordinaut.agent.RunBudget;
import io.ordinaut.pipeline.InvalidPipelineException;
import io.ordinaut.pipeline.PipelineDefinition;
import io.ordinaut.pipeline.PipelineProgress;
import io.ordinaut.pipeline.PipelineResult;
import io.ordinaut.pipeline.PipelineRunner;
import io.ordinaut.pipeline.RunContext;

/**
 * Runs a claimed run's pipeline. Parsed pipelines are cached by payload text (bounded by bytes, see
 * {@link ParsedPipelines}), so a task's runs — and
 * tasks made from one template — parse it once, and a changed payload is parsed afresh. A
 * pipeline that no longer parses, and errors the pipeline marks non-retryable (validation, schema, 4xx
 * from a tool), fail the run without retries.
 */
@Component
class PipelineRunHandler implements RunHandler {

    private final PipelineRunner runner;
    private final AgentScopes scopes;
    private final RunBudget budget;
    private final ParsedPipelines cache = new ParsedPipelines(ParsedPipelines.DEFAULT_MAX_BYTES);

    PipelineRunHandler(PipelineRunner runner, AgentScopes scopes, RunBudget budget) {
        this.runner = runner;
        this.budget = budget;
        this.scopes = scopes;
    }

    @Override
    public RunResult execute(ClaimedRun run) {
        return execute(run, new PipelineProgress());
    }

    @Override
    public RunResult execute(ClaimedRun run, PipelineProgress progress) {
        return execute(run, progress, null);
    }

    /** Its steps are stamped by {@code runClock}: between the run's started_at and finished_at. */
    @Override
    public RunResult execute(ClaimedRun run, PipelineProgress progress, Clock runClock) {
        // Every execution counts against the budget — retries, reclaims and re-drives call the tools again.
        if (!budget.admit(run.createdBy())) {
            return RunResult.skipped("budget: agent " + run.createdBy() + " has used up its runs_per_day");
        }
        PipelineDefinition definition;
        try {
            definition = definition(run);
        } catch (InvalidPipelineException e) {
            return RunResult.failed("invalid pipeline: " + e.getMessage(), false, null);
        }
        RunContext context = new RunContext(run.taskId().toString(), run.taskTitle(), ZoneId.of(run.timezone()),
                run.id().toString(), run.attempt(), run.scheduledFor(), run.trigger())
                // The owner's scopes as they are now (cached briefly): a scope taken away stops its runs.
                .withGrantedScopes(scopes.granted(run.createdBy()))
                // whose tools its steps may call: the owner's own and admins' (ToolTrust)
                .withAgent(run.createdBy())
                .withClock(runClock);
        if (run.eventJson() != null) {
            context = context.withEvent(event(run.eventJson()));
        }
        PipelineResult result = runner.run(definition, context, progress);
        return result.success()
                ? RunResult.succeeded(result.output())
                : RunResult.failed(result.error(), result.retryable(), result.output(), result.retryAfter());
    }

    private RunContext.Event event(String eventJson) {
        Map<?, ?> event = StoredJson.READER.readValue(eventJson, Map.class);
        Object id = event.get("id");
        Object at = event.get("published_at");
        return new RunContext.Event((String) event.get("topic"), event.get("payload"), id == null ? null : id.toString(),
                at == null ? null : at.toString());
    }

    private PipelineDefinition definition(ClaimedRun run) {
        return cache.get(run.payloadJson(), text -> PipelineDefinition.parse(StoredJson.READER.readValue(text, Map.class), address -> true));
    }

}
