package io.ordinaut.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.ordinaut.queue.RunCommands;
import io.ordinaut.queue.RunStatus;
import io.ordinaut.web.ApiException;
import io.ordinaut.web.Caller;
import io.ordinaut.web.PageBody;
import io.ordinaut.web.QueryParams;
import io.ordinaut.web.RequiresScope;
import io.ordinaut.web.Scopes;

/**
 * The record of every run — queued, running or finished — and what may be done to one.
 *
 * <h2>Runs, attempts and ids</h2>
 * A <em>run</em> is one requested execution of a task (an occurrence, a run_now, an event). Its id is
 * the id run_now returns, and it names the run for its whole life: {@code GET /runs/{id}} shows the
 * queue row while the run is queued or running (status {@code queued}/{@code running}, with its current
 * attempt number; a retry waiting for its backoff is {@code queued} with a future {@code run_at}), and
 * the recorded row once it has ended. A running run's output is the progress its node last wrote with
 * a lease renewal (the steps that ended, shaped as a recorded run's output), hidden and scoped as any.
 *
 * <p>Every <em>attempt</em> writes one history row ({@code GET /runs} lists attempts). The attempt that
 * ends the run — succeeded, failed without retry, dead, skipped, canceled — is recorded under the run's
 * own id; each earlier attempt (failed and retried, lost with its node and reclaimed, released at
 * shutdown) gets an id of its own. Every row carries {@code run_id}, so the attempts of a run are
 * {@code GET /runs?…} rows sharing one {@code run_id}. {@code POST /runs/{id}/retry} re-queues a failed
 * or dead run under the same id; its last attempt's row moves to an id of its own as a failed attempt, so
 * a retried run that dies again is one dead letter (docs/api.md, "Retry by request").
 *
 * <h2>Routes</h2>
 * <ul>
 *   <li>{@code GET /runs} — filters task_id, status, success, trigger, start_time, end_time (on
 *       created_at, ISO-8601), include_errors (default false: the run's error and its steps' errors in
 *       output.trace are replaced by a hint, as in the original Ordinaut), limit (1–1000, default 50),
 *       offset; newest first. An item carries its output within RunRepository's list bounds (256 KiB
 *       each, 1 MiB a page); past them it is listed with {@code output: null, output_bytes,
 *       output_omitted: true}, so a page costs the node about 1 MiB of outputs whatever the runs saved</li>
 *   <li>{@code GET /tasks/{id}/runs} (same filters); {@code GET /runs/{id}} shows one run in full</li>
 *   <li>{@code GET /task/{task_id}/latest}, {@code GET /task/{task_id}/stats?days=} (default 30) and
 *       {@code GET /stats/summary?days=} (default 7), also under {@code /runs/…} where the original's
 *       router mounted them; days 1–365</li>
 *   <li>{@code POST /runs/{id}/cancel} — a queued run is canceled at once, a running one is interrupted
 *       by its node and recorded as canceled; {@code POST /runs/{id}/retry} — a failed or dead run goes
 *       back to the queue. 404 for an unknown run, 409 when its status does not allow it.</li>
 * </ul>
 */
@RestController
@Tag(name = "runs")
class RunController {

    private static final int DEFAULT_TASK_STATS_DAYS = 30;
    private static final int DEFAULT_SUMMARY_DAYS = 7;

    private final RunRepository runs;
    private final RunCommands commands;
    private final Clock clock;

    RunController(RunRepository runs, RunCommands commands, Clock clock) {
        this.runs = runs;
        this.commands = commands;
        this.clock = clock;
    }

    @RequiresScope(Scopes.RUNS_READ)
    @GetMapping("/runs")
    @Transactional(readOnly = true)
    @Parameter(name = "task_id", in = ParameterIn.QUERY, description = "Only runs of this task", schema = @Schema(type = "string", format = "uuid"))
    @Parameter(name = "status", in = ParameterIn.QUERY, description = "Only runs in this status", schema = @Schema(type = "string", allowableValues = {"queued", "running", "succeeded", "failed", "dead", "skipped", "canceled"}))
    @Parameter(name = "success", in = ParameterIn.QUERY, description = "Only runs that succeeded (true) or failed (false)", schema = @Schema(type = "boolean"))
    @Parameter(name = "trigger", in = ParameterIn.QUERY, description = "Only runs started this way", schema = @Schema(type = "string", allowableValues = {"schedule", "run_now", "event", "retry", "reclaim"}))
    @Parameter(name = "start_time", in = ParameterIn.QUERY, description = "Only runs created (created_at) at or after this instant", schema = @Schema(type = "string", format = "date-time"))
    @Parameter(name = "end_time", in = ParameterIn.QUERY, description = "Only runs created (created_at) at or before this instant", schema = @Schema(type = "string", format = "date-time"))
    @Parameter(name = "include_errors", in = ParameterIn.QUERY, description = "Include each run's error and step trace", schema = @Schema(type = "boolean"))
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Page size (default 50)", schema = @Schema(type = "integer", minimum = "1", maximum = "1000", defaultValue = "50"))
    @Parameter(name = "offset", in = ParameterIn.QUERY, description = "Rows to skip (default 0)", schema = @Schema(type = "integer", minimum = "0", defaultValue = "0"))
    @Operation(operationId = "listRuns", summary = "List runs, newest first")
    Map<String, Object> list(@RequestParam MultiValueMap<String, String> query, Caller caller) {
        QueryParams q = QueryParams.of(query);
        return page(q, filter(q, q.uuid("task_id"), caller.ownerFilter()));
    }

    @RequiresScope(Scopes.RUNS_READ)
    @GetMapping("/tasks/{id}/runs")
    @Transactional(readOnly = true)
    @Parameter(name = "status", in = ParameterIn.QUERY, description = "Only runs in this status", schema = @Schema(type = "string", allowableValues = {"queued", "running", "succeeded", "failed", "dead", "skipped", "canceled"}))
    @Parameter(name = "success", in = ParameterIn.QUERY, description = "Only runs that succeeded (true) or failed (false)", schema = @Schema(type = "boolean"))
    @Parameter(name = "trigger", in = ParameterIn.QUERY, description = "Only runs started this way", schema = @Schema(type = "string", allowableValues = {"schedule", "run_now", "event", "retry", "reclaim"}))
    @Parameter(name = "start_time", in = ParameterIn.QUERY, description = "Only runs created (created_at) at or after this instant", schema = @Schema(type = "string", format = "date-time"))
    @Parameter(name = "end_time", in = ParameterIn.QUERY, description = "Only runs created (created_at) at or before this instant", schema = @Schema(type = "string", format = "date-time"))
    @Parameter(name = "include_errors", in = ParameterIn.QUERY, description = "Include each run's error and step trace", schema = @Schema(type = "boolean"))
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Page size (default 50)", schema = @Schema(type = "integer", minimum = "1", maximum = "1000", defaultValue = "50"))
    @Parameter(name = "offset", in = ParameterIn.QUERY, description = "Rows to skip (default 0)", schema = @Schema(type = "integer", minimum = "0", defaultValue = "0"))
    @Operation(operationId = "listTaskRuns", summary = "List the runs of a task, newest first")
    Map<String, Object> taskRuns(@PathVariable String id, @RequestParam MultiValueMap<String, String> query, Caller caller) {
        UUID taskId = visibleTask(id, caller);
        QueryParams q = QueryParams.of(query);
        return page(q, filter(q, taskId, caller.ownerFilter()));
    }

    @RequiresScope(Scopes.RUNS_READ)
    @GetMapping("/runs/{id}")
    @Operation(operationId = "getRun", summary = "Get a run with its output and step trace")
    RunView get(@PathVariable String id, Caller caller) {
        return find(id, caller);
    }

    @RequiresScope(Scopes.RUNS_WRITE)
    @PostMapping("/runs/{id}/cancel")
    @Operation(operationId = "cancelRun", summary = "Cancel a queued or running run")
    Map<String, Object> cancel(@PathVariable String id, Caller caller) {
        return result(commands.cancel(visibleRun(id, caller)));
    }

    @RequiresScope(Scopes.RUNS_WRITE)
    @PostMapping("/runs/{id}/retry")
    @Operation(operationId = "retryRun", summary = "Run a finished run again")
    Map<String, Object> retry(@PathVariable String id, Caller caller) {
        return result(commands.retry(visibleRun(id, caller)));
    }

    /** The task's most recent run (queued, running or recorded), or JSON null when it never ran. */
    @RequiresScope(Scopes.RUNS_READ)
    @GetMapping({"/task/{taskId}/latest", "/runs/task/{taskId}/latest"})
    @Operation(operationId = "getLatestTaskRun", summary = "Get the latest run of a task",
            description = "The task's most recent run, in full like getRun; the body is JSON null when the task has no run"
                    + " yet (as in the original Ordinaut API). 404 for an unknown task.")
    ResponseEntity<?> latest(@PathVariable String taskId, Caller caller) {
        UUID id = visibleTask(taskId, caller);
        return runs.latest(id).<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body("null"));
    }

    /**
     * The original's fields (task_id, period_days, total_runs, successful_runs, failed_runs, success_rate,
     * failure_rate, avg_execution_time_seconds, last_run, last_success, last_failure) plus p50/p95
     * durations, counts by status, the last error and the task's queue.
     */
    @RequiresScope(Scopes.RUNS_READ)
    @GetMapping({"/task/{taskId}/stats", "/runs/task/{taskId}/stats"})
    @Transactional(readOnly = true)
    @Parameter(name = "days", in = ParameterIn.QUERY, description = "Days to look back (default 30)", schema = @Schema(type = "integer", minimum = "1", maximum = "365"))
    @Operation(operationId = "getTaskRunStats", summary = "Get run statistics of a task")
    Map<String, Object> taskStats(@PathVariable String taskId, @RequestParam MultiValueMap<String, String> query, Caller caller) {
        UUID id = visibleTask(taskId, caller);
        int days = QueryParams.of(query).integer("days", 1, 365, DEFAULT_TASK_STATS_DAYS);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("task_id", id);
        body.put("period_days", days);
        Map<String, Object> stats = runs.stats(id, caller.ownerFilter(), since(days));
        stats.remove("total_tasks_executed");
        body.putAll(stats);
        return body;
    }

    /** The original's fields (period_days, total_runs, total_tasks_executed, … runs_per_day) plus the same extras. */
    @RequiresScope(Scopes.RUNS_READ)
    @GetMapping({"/stats/summary", "/runs/stats/summary"})
    @Transactional(readOnly = true)
    @Parameter(name = "days", in = ParameterIn.QUERY, description = "Days to look back (default 7)", schema = @Schema(type = "integer", minimum = "1", maximum = "365"))
    @Operation(operationId = "getRunSummary", summary = "Get run statistics of all visible tasks")
    Map<String, Object> summary(@RequestParam MultiValueMap<String, String> query, Caller caller) {
        int days = QueryParams.of(query).integer("days", 1, 365, DEFAULT_SUMMARY_DAYS);
        Map<String, Object> stats = runs.stats(null, caller.ownerFilter(), since(days));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("period_days", days);
        body.putAll(stats);
        long total = (Long) stats.get("total_runs");
        body.put("runs_per_day", Math.round(total * 10.0 / days) / 10.0);
        return body;
    }

    private Map<String, Object> page(QueryParams q, RunFilter filter) {
        boolean includeErrors = Boolean.TRUE.equals(q.bool("include_errors"));
        int limit = q.integer("limit", 1, 1000, 50);
        int offset = q.offset();
        List<RunView> items = runs.page(filter, limit, offset);
        if (!includeErrors) {
            items = items.stream().map(RunView::withErrorHidden).toList();
        }
        return PageBody.of(items, runs.count(filter), limit, offset);
    }

    private RunView find(String id, Caller caller) {
        return runs.find(idOf("Run", id), caller.ownerFilter()).orElseThrow(() -> ApiException.notFound("Run", id));
    }

    private UUID visibleRun(String id, Caller caller) {
        UUID runId = idOf("Run", id);
        if (!runs.visible(runId, caller.ownerFilter())) {
            throw ApiException.notFound("Run", id);
        }
        return runId;
    }

    private UUID visibleTask(String id, Caller caller) {
        UUID taskId = idOf("Task", id);
        if (!runs.taskVisible(taskId, caller.ownerFilter())) {
            throw ApiException.notFound("Task", id);
        }
        return taskId;
    }

    /** A path id that is no UUID names nothing: 404, as an unknown one. */
    private static UUID idOf(String resource, String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound(resource, id);
        }
    }

    private Instant since(int days) {
        return clock.instant().minus(Duration.ofDays(days));
    }

    private static Map<String, Object> result(RunCommands.Result r) {
        if (!r.found()) {
            throw ApiException.notFound("Run", r.runId().toString());
        }
        if (!r.applied()) {
            throw ApiException.conflict(r.message(), r.details());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", true);
        body.put("message", r.message());
        body.put("details", r.details());
        return body;
    }

    // The query parameters as a checked filter: an unknown status or trigger, a malformed instant or an
    // empty time range is a 400 naming the parameter.
    private static RunFilter filter(QueryParams q, UUID taskId, UUID owner) {
        String status = q.oneOf("status", RunStatus.WIRE_NAMES);
        String trigger = q.oneOf("trigger", RunFilter.TRIGGERS);
        Instant start = q.instant("start_time");
        Instant end = q.instant("end_time");
        if (start != null && end != null && start.isAfter(end)) {
            throw ApiException.badRequest("start_time", "start_time (" + start + ") must not be after end_time (" + end + ")");
        }
        return new RunFilter(taskId, status, q.bool("success"), trigger, start, end, owner);
    }
}
