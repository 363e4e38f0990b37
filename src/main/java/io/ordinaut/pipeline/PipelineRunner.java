package io.ordinaut.pipeline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;

import io.ordinaut.Threads;
import io.ordinaut.metrics.OrdinautMetrics;
import io.ordinaut.tool.ToolCall;
import io.ordinaut.tool.ToolCallException;
import io.ordinaut.tool.ToolInvoker;

/**
 * Runs a {@link PipelineDefinition} step by step.
 *
 * <h2>Expression context</h2>
 * <ul>
 *   <li>{@code params}: the task's params</li>
 *   <li>{@code steps}: outputs saved so far, by {@code save_as} (or id)</li>
 *   <li>{@code now}: ISO-8601 UTC instant at run start (whole seconds), from the clock;
 *       {@code ${now+1h}}, {@code ${now-2w}} (units s m h d w) shift it</li>
 *   <li>{@code now_date}: the run start's ISO date in the task's time zone</li>
 *   <li>{@code task}: {@code id}, {@code title}, {@code timezone}</li>
 *   <li>{@code run}: {@code id}, {@code attempt}, {@code scheduled_for}, {@code trigger}</li>
 *   <li>{@code event}: {@code topic}, {@code payload}, {@code id}, {@code published_at} (only for event-triggered runs)</li>
 * </ul>
 * A string that is exactly one {@code ${…}} keeps the result's JSON type; inside a longer string the
 * result is text (objects/arrays as compact JSON, null as ""). Missing paths and function type errors
 * yield null. An {@code if} uses JMESPath truthiness (false, null, "", [], {} are false; 0 is true).
 *
 * <h2>Failures</h2>
 * A retryable tool error (timeout, 5xx, 429, connection) is retried up to the step's
 * {@code max_retries} with exponential backoff. A failed step with {@code continue_on_error} is
 * recorded and the run goes on; any other failure ends the run. Interrupting the calling thread stops
 * the run promptly with {@link PipelineResult#interrupted()} set.
 */
public final class PipelineRunner {

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** The step_duration metric's outcome tag, by {@link StepOutcome.Status} ordinal. */
    private static final String[] STEP_OUTCOMES = {"ok", "skipped", "failed"};

    private final TimedCalls calls;
    private final Clock clock;
    private final Duration retryBackoff;
    private final OrdinautMetrics metrics;
    private final ValueLimits limits;

    /** Uses a shared daemon thread pool for tool calls and a 500 ms initial retry backoff. */
    public PipelineRunner(ToolInvoker tools, Clock clock) {
        this(tools, clock, TimedCalls.sharedExecutor(), Duration.ofMillis(500));
    }

    /**
     * @param callExecutor runs each tool call so that step timeouts hold (owned by the caller)
     * @param retryBackoff wait before the first step retry; doubles per retry, capped at 30 s
     */
    public PipelineRunner(ToolInvoker tools, Clock clock, ExecutorService callExecutor, Duration retryBackoff) {
        this(tools, clock, callExecutor, retryBackoff, OrdinautMetrics.none());
    }

    /** As {@link #PipelineRunner(ToolInvoker, Clock)}, measuring each step's duration into {@code metrics}. */
    public PipelineRunner(ToolInvoker tools, Clock clock, OrdinautMetrics metrics) {
        this(tools, clock, TimedCalls.sharedExecutor(), Duration.ofMillis(500), metrics, ValueLimits.DEFAULTS);
    }

    /** As {@link #PipelineRunner(ToolInvoker, Clock, OrdinautMetrics)}, bounding values by {@code properties}. */
    public PipelineRunner(ToolInvoker tools, Clock clock, OrdinautMetrics metrics, PipelineProperties properties) {
        this(tools, clock, TimedCalls.sharedExecutor(), Duration.ofMillis(500), metrics, new ValueLimits(properties));
    }

    private PipelineRunner(ToolInvoker tools, Clock clock, ExecutorService callExecutor, Duration retryBackoff,
                           OrdinautMetrics metrics) {
        this(tools, clock, callExecutor, retryBackoff, metrics, ValueLimits.DEFAULTS);
    }

    private PipelineRunner(ToolInvoker tools, Clock clock, ExecutorService callExecutor, Duration retryBackoff,
                           OrdinautMetrics metrics, ValueLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.calls = new TimedCalls(Objects.requireNonNull(tools, "tools"), Objects.requireNonNull(callExecutor, "callExecutor"));
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retryBackoff = Objects.requireNonNull(retryBackoff, "retryBackoff");
    }

    public PipelineResult run(PipelineDefinition definition, RunContext context) {
        return run(definition, context, new PipelineProgress());
    }

    /** As {@link #run(PipelineDefinition, RunContext)}, telling {@code progress} how far it got as it goes. */
    public PipelineResult run(PipelineDefinition definition, RunContext context, PipelineProgress progress) {
        Clock clock = clockOf(context);
        Instant start = clock.instant();
        Map<String, Object> saved = new LinkedHashMap<>();
        RunScope scope = new RunScope(rootContext(definition, context, start, saved), start);
        List<Map<String, Object>> trace = new ArrayList<>(definition.steps().size());
        Map<String, Object> output = new LinkedHashMap<>(4);
        output.put("steps", saved);
        output.put("trace", trace);
        progress.started(definition.steps().size());

        for (Step step : definition.steps()) {
            if (Thread.currentThread().isInterrupted()) {
                return new PipelineResult(false, true, true, step.id(),
                        "run interrupted before step '" + step.id() + "'", output);
            }
            long stepStart = System.nanoTime();
            StepOutcome outcome = runStep(step, scope, context, progress);
            metrics.stepEnded(STEP_OUTCOMES[outcome.status().ordinal()], System.nanoTime() - stepStart);
            trace.add(outcome.traceEntry());
            if (outcome.status() == StepOutcome.Status.OK) {
                saved.put(step.storeName(), outcome.output());
            }
            progress.ended(saved, trace);
            switch (outcome.status()) {
                case OK, SKIPPED -> {
                }
                case FAILED -> {
                    if (outcome.interrupted()) {
                        Thread.currentThread().interrupt();
                        return new PipelineResult(false, true, true, step.id(),
                                "run interrupted during step '" + step.id() + "'", output);
                    }
                    if (!step.continueOnError()) {
                        return new PipelineResult(false, outcome.retryable(), false, step.id(),
                                "step '" + step.id() + "' (" + step.uses() + ") failed: " + outcome.error(), output,
                                outcome.retryAfter());
                    }
                }
            }
        }
        return new PipelineResult(true, false, false, null, null, output);
    }

    private StepOutcome runStep(Step step, RunScope scope, RunContext context, PipelineProgress progress) {
        Clock clock = clockOf(context);
        StepOutcome.Timer timer = new StepOutcome.Timer(step, clock.instant());
        progress.running(timer, 0);
        Map<String, Object> args;
        try {
            if (step.condition() != null) {
                String field = "payload.pipeline[" + step.index() + "].if";
                if (!Evaluation.isTruthy(Evaluation.evaluate(field, step.condition(), scope))) {
                    return timer.skipped();
                }
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> rendered = (Map<String, Object>) step.with().render(scope);
            // a copy: arguments that referred to the live context could end up inside a saved output
            args = limits.arguments(step, rendered);
        } catch (EvaluationException e) {
            return timer.failed(0, e.getMessage(), false);
        }

        ToolCall call = new ToolCall(step.uses(), args,
                ToolCall.idempotencyKey(context.taskId(), context.scheduledFor(), step.id()),
                context.runId(), context.attempt(), step.timeout(), context.grantedScopes(), context.agentId(), clock);
        int attempts = 0;
        while (true) {
            attempts++;
            progress.running(timer, attempts);
            Duration wait;
            try {
                return timer.ok(attempts, limits.output(step, calls.call(call), scope.outputs()));
            } catch (ToolCallException e) {
                if (!e.retryable() || attempts > step.maxRetries()) {
                    String suffix = attempts > 1 ? " (after " + attempts + " attempts)" : "";
                    return timer.failed(attempts, e.getMessage() + suffix, e.retryable(), bounded(e.retryAfter(), step.timeout()));
                }
                wait = retryWait(attempts, e.retryAfter(), step.timeout());
            } catch (InterruptedException e) {
                return timer.interrupted(attempts);
            }
            if (!Threads.sleepQuietly(wait)) {
                return timer.interrupted(attempts);
            }
        }
    }

    /**
     * The backoff, or longer when the tool asked for it ({@code Retry-After} of a 429/503): a server that
     * sheds load is not hit again early. The ask is bounded by the step's timeout, so a hostile or
     * confused tool cannot park a run.
     */
    /** The run's own clock when it has one (see {@link RunContext#clock()}), else this runner's. */
    private Clock clockOf(RunContext context) {
        return context.clock() != null ? context.clock() : this.clock;
    }

    private Duration retryWait(int attempt, Duration retryAfter, Duration stepTimeout) {
        Duration wait = backoff(attempt);
        if (retryAfter == null) {
            return wait;
        }
        Duration asked = bounded(retryAfter, stepTimeout);
        return asked.compareTo(wait) > 0 ? asked : wait;
    }

    private static Duration bounded(Duration retryAfter, Duration stepTimeout) {
        if (retryAfter == null) {
            return null;
        }
        return retryAfter.compareTo(stepTimeout) > 0 ? stepTimeout : retryAfter;
    }

    private Duration backoff(int attempt) {
        Duration wait = retryBackoff.multipliedBy(1L << Math.min(attempt - 1, 16));
        return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
    }

    private static Map<String, Object> rootContext(PipelineDefinition definition, RunContext context,
                                                   Instant start, Map<String, Object> saved) {
        Map<String, Object> task = new HashMap<>(4);
        task.put("id", context.taskId());
        task.put("title", context.taskTitle());
        task.put("timezone", context.timezone().getId());

        Map<String, Object> run = new HashMap<>(6);
        run.put("id", context.runId());
        run.put("attempt", (long) context.attempt());
        run.put("scheduled_for", context.scheduledFor().toString());
        run.put("trigger", context.trigger());

        Map<String, Object> root = new HashMap<>(12);
        root.put("params", definition.params());
        root.put("steps", Collections.unmodifiableMap(saved));
        root.put("now", start.truncatedTo(ChronoUnit.SECONDS).toString());
        root.put("now_date", LocalDate.ofInstant(start, context.timezone()).toString());
        root.put("task", task);
        root.put("run", run);
        if (context.event() != null) {
            Map<String, Object> event = new HashMap<>(4);
            event.put("topic", context.event().topic());
            event.put("payload", context.event().payload());
            event.put("id", context.event().id());
            event.put("published_at", context.event().publishedAt());
            root.put("event", event);
        }
        return root;
    }
}
