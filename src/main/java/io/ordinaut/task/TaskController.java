package io.ordinaut.task;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.ordinaut.ConflictException;
import io.ordinaut.InvalidInputException;
import io.ordinaut.JsonFields;
import io.ordinaut.PayloadTooLargeException;
import io.ordinaut.TaskStatus;
import io.ordinaut.queue.DueWorkQueue;
import io.ordinaut.schedule.Schedules;
import io.ordinaut.web.ApiException;
import io.ordinaut.web.AuditSubject;
import io.ordinaut.web.Caller;
import io.ordinaut.web.PageBody;
import io.ordinaut.web.QueryParams;
import io.ordinaut.web.RequiresScope;
import io.ordinaut.web.Scopes;

/** /tasks: create, read, change and act on tasks. */
@RestController
@Tag(name = "tasks")
class TaskController {

    /** Most tasks one POST /tasks/batch may hold. */
    static final int MAX_BATCH = 1000;

    private final TaskService service;
    private final PayloadLimit payloadLimit;
    private final Clock clock;

    TaskController(TaskService service, PayloadLimit payloadLimit, Clock clock) {
        this.service = service;
        this.payloadLimit = payloadLimit;
        this.clock = clock;
    }

    @RequiresScope(Scopes.TASKS_CREATE)
    @PostMapping(path = "/tasks")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(operationId = "createTask", summary = "Create a task",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = TaskCreateRequest.class))))
    TaskView create(@RequestBody Object body, Caller caller) {
        Task task = service.create(specOf(body, caller), !caller.isAdmin());
        AuditSubject.set(task.id());
        return view(task);
    }

    /**
     * Many tasks in one call: each item is read and checked exactly as {@link #create} reads its body, and
     * the answer has one result per item. One audit row records the call, with the counts; the call counts
     * once against the caller's rate limits.
     */
    @RequiresScope(Scopes.TASKS_CREATE)
    @PostMapping(path = "/tasks/batch")
    @Operation(operationId = "createTasks", summary = "Create up to 1000 tasks; one result per item, or all or nothing (atomic)",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = TaskBatchRequest.class))))
    Map<String, Object> createBatch(@RequestBody Object body, Caller caller) {
        // each item is checked as a POST /tasks body, so a bad value is that item's error
        JsonFields fields = JsonFields.of(body, "tasks").allowOnly(List.of("tasks", "atomic"));
        Object given = fields.raw("tasks");
        if (!(given instanceof List<?> items)) {
            String expected = "an array of 1 to " + MAX_BATCH + " task bodies, each as POST /tasks takes it";
            throw ApiException.badRequest("tasks", fields.has("tasks") ? "tasks must be " + expected + " (got " + jsonType(given) + ")"
                    : "tasks is required: " + expected);
        }
        if (items.isEmpty() || items.size() > MAX_BATCH) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "ValidationError", "tasks holds " + items.size()
                    + " items; a batch holds 1 to " + MAX_BATCH + " (split larger ones into several calls)",
                    Map.of("field", "tasks", "items", items.size(), "max_items", MAX_BATCH));
        }
        boolean atomic = Boolean.TRUE.equals(fields.bool("atomic"));
        List<Object> specs = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            try {
                if (!(item instanceof Map)) {
                    throw new InvalidInputException("tasks[" + i + "]", "tasks[" + i + "] must be a JSON object: a task body as POST /tasks takes it");
                }
                specs.add(specOf(item, caller));
            } catch (InvalidInputException | ApiException | PayloadTooLargeException e) {
                specs.add(e);
            }
        }
        AuditSubject.detail("items", items.size());
        AuditSubject.detail("atomic", atomic);
        List<TaskService.BatchOutcome> outcomes;
        try {
            outcomes = service.createAll(specs, atomic, !caller.isAdmin());
        } catch (TaskService.BatchRefused e) {
            List<Map<String, Object>> errors = new ArrayList<>();
            for (int i = 0; i < e.outcomes().size(); i++) {
                RuntimeException error = e.outcomes().get(i).error();
                if (error != null) {
                    errors.add(itemResult(i, itemStatus(error), "error", itemError(error)));
                }
            }
            AuditSubject.detail("created", 0);
            AuditSubject.detail("failed", errors.size());
            throw new ApiException(HttpStatus.BAD_REQUEST, "ValidationError", e.getMessage(),
                    Map.of("field", "tasks", "atomic", true, "failed", errors.size(), "errors", errors));
        }
        List<Map<String, Object>> results = new ArrayList<>(outcomes.size());
        int created = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            TaskService.BatchOutcome outcome = outcomes.get(i);
            if (outcome.task() != null) {
                created++;
                results.add(itemResult(i, HttpStatus.CREATED.value(), "task", view(outcome.task())));
            } else {
                results.add(itemResult(i, itemStatus(outcome.error()), "error", itemError(outcome.error())));
            }
        }
        AuditSubject.detail("created", created);
        AuditSubject.detail("failed", outcomes.size() - created);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("created", created);
        answer.put("failed", outcomes.size() - created);
        answer.put("results", results);
        return answer;
    }

    private static String jsonType(Object value) {
        if (value == null) {
            return "null";
        }
        return value instanceof Map ? "an object" : value instanceof String ? "a string"
                : value instanceof Boolean ? "a boolean" : value instanceof Number ? "a number" : "a " + value.getClass().getSimpleName();
    }

    private static Map<String, Object> itemResult(int index, int status, String key, Object value) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("index", index);
        result.put("status", status);
        result.put(key, value);
        return result;
    }

    /** The status POST /tasks would have answered for a refused item alone. */
    private static int itemStatus(RuntimeException e) {
        if (e instanceof ApiException api) {
            return api.status().value();
        }
        if (e instanceof ConflictException) {
            return HttpStatus.CONFLICT.value(); // over the owner's open-task cap
        }
        return e instanceof PayloadTooLargeException ? HttpStatus.CONTENT_TOO_LARGE.value() : HttpStatus.BAD_REQUEST.value();
    }

    /** A refused item's error, in the error shape POST /tasks answers (without the call's request id and time). */
    private static Map<String, Object> itemError(RuntimeException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (e instanceof ApiException api) {
            body.put("error", api.error());
            body.put("message", api.getMessage());
            body.put("details", api.details());
        } else if (e instanceof PayloadTooLargeException tooLarge) {
            body.put("error", "PayloadTooLarge");
            body.put("message", tooLarge.getMessage());
            body.put("details", tooLarge.details());
        } else if (e instanceof ConflictException conflict) {
            body.put("error", "Conflict");
            body.put("message", conflict.getMessage());
            body.put("details", conflict.details());
        } else if (e instanceof InvalidInputException invalid) {
            body.put("error", "ValidationError");
            body.put("message", invalid.getMessage());
            body.put("details", invalid.details());
        } else {
            throw new IllegalStateException("Not an input error: " + e, e);
        }
        return body;
    }

    /** Reads and checks a create body; the caller owns the task unless an admin names created_by. */
    private TaskSpec specOf(Object body, Caller caller) {
        JsonFields fields = JsonFields.of(body);
        payloadLimit.check(fields);
        TaskSpec spec = TaskSpec.forCreate(fields);
        refuseGlobalKeys(fields, caller);
        // Only admins may create tasks for someone else; anyone else owns what they create.
        if (!caller.isAdmin() || !fields.has("created_by")) {
            spec = spec.ownedBy(caller.agentId());
        }
        return spec;
    }

    @RequiresScope(Scopes.TASKS_READ)
    @GetMapping("/tasks")
    @Parameter(name = "status", in = ParameterIn.QUERY, description = "Only tasks in this status", schema = @Schema(type = "string", allowableValues = {"active", "paused", "canceled", "completed"}))
    @Parameter(name = "schedule_kind", in = ParameterIn.QUERY, description = "Only tasks with this schedule kind", schema = @Schema(type = "string", allowableValues = {"cron", "rrule", "once", "interval", "event"}))
    @Parameter(name = "created_by", in = ParameterIn.QUERY, description = "Only tasks of this owner (admins)", schema = @Schema(type = "string", format = "uuid"))
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Page size (default 50)", schema = @Schema(type = "integer", minimum = "1", maximum = "200", defaultValue = "50"))
    @Parameter(name = "offset", in = ParameterIn.QUERY, description = "Rows to skip (default 0)", schema = @Schema(type = "integer", minimum = "0", defaultValue = "0"))
    @Operation(operationId = "listTasks", summary = "List tasks, newest first")
    Map<String, Object> list(@RequestParam MultiValueMap<String, String> query, Caller caller) {
        QueryParams q = QueryParams.of(query);
        String status = q.oneOf("status", TaskStatus.WIRE_NAMES);
        String kind = q.oneOf("schedule_kind", TaskSpec.KINDS);
        UUID createdBy = q.uuid("created_by");
        if (!caller.isAdmin()) {
            if (createdBy != null && !createdBy.equals(caller.agentId())) {
                return page(List.of(), 0, limit(q), offset(q));
            }
            createdBy = caller.agentId();
        }
        int limit = limit(q);
        int offset = offset(q);
        TaskService.TaskPage page = service.list(status, kind, createdBy, limit, offset);
        return page(page.items().stream().map(this::view).toList(), page.total(), limit, offset);
    }

    private static int limit(QueryParams q) {
        return q.integer("limit", 1, 200, 50);
    }

    private static int offset(QueryParams q) {
        return q.offset();
    }

    private static Map<String, Object> page(List<TaskView> items, long total, int limit, int offset) {
        return PageBody.of(items, total, limit, offset);
    }

    @RequiresScope(Scopes.TASKS_READ)
    @GetMapping("/tasks/{id}")
    @Operation(operationId = "getTask", summary = "Get a task")
    TaskView get(@PathVariable String id, Caller caller) {
        return view(service.get(Ids.task(id), caller.ownerFilter()));
    }

    @RequiresScope(Scopes.TASKS_UPDATE)
    @PutMapping(path = "/tasks/{id}")
    @Operation(operationId = "updateTask", summary = "Change some fields of a task",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = TaskUpdateRequest.class))))
    TaskView update(@PathVariable String id, @RequestBody Object body, Caller caller) {
        UUID taskId = Ids.task(id);
        JsonFields fields = JsonFields.of(body);
        payloadLimit.check(fields);
        // As on create: only admins may hand a task to another agent; for anyone else created_by is ignored.
        refuseGlobalKeys(fields, caller);
        return view(service.update(taskId, caller.ownerFilter(), current -> {
            TaskSpec spec = TaskSpec.forUpdate(current.spec(), fields);
            return caller.isAdmin() ? spec : spec.ownedBy(current.createdBy());
        }));
    }

    /**
     * dedupe_key and concurrency_key are the owner's own (scoped to created_by when runs are queued);
     * a key shared across agents is written {@code global:<name>}, and only an admin may write one.
     */
    private static void refuseGlobalKeys(JsonFields fields, Caller caller) {
        if (caller.isAdmin()) {
            return;
        }
        for (String field : List.of("dedupe_key", "concurrency_key")) {
            if (fields.raw(field) instanceof String key && key.startsWith(DueWorkQueue.GLOBAL_KEY_PREFIX)) {
                throw ApiException.badRequest(field, field + " " + key + ": keys starting with '" + DueWorkQueue.GLOBAL_KEY_PREFIX
                        + "' are shared by all agents and only an admin may set one");
            }
        }
    }

    /** Deleting a task cancels it: its history stays readable. */
    @RequiresScope(Scopes.TASKS_DELETE)
    @DeleteMapping("/tasks/{id}")
    @Operation(operationId = "deleteTask", summary = "Cancel a task (it is kept, canceled)")
    Map<String, Object> delete(@PathVariable String id, Caller caller) {
        return result(service.cancel(Ids.task(id), caller.ownerFilter()));
    }

    @RequiresScope(Scopes.TASKS_UPDATE)
    @PostMapping("/tasks/{id}/pause")
    @Operation(operationId = "pauseTask", summary = "Pause a task: no occurrence runs until it is resumed")
    Map<String, Object> pause(@PathVariable String id, Caller caller) {
        return result(service.pause(Ids.task(id), caller.ownerFilter()));
    }

    @RequiresScope(Scopes.TASKS_UPDATE)
    @PostMapping("/tasks/{id}/resume")
    @Operation(operationId = "resumeTask", summary = "Resume a paused task; its next occurrence is planned from now")
    Map<String, Object> resume(@PathVariable String id, Caller caller) {
        return result(service.resume(Ids.task(id), caller.ownerFilter()));
    }

    @RequiresScope(Scopes.TASKS_DELETE)
    @PostMapping("/tasks/{id}/cancel")
    @Operation(operationId = "cancelTask", summary = "Cancel a task for good")
    Map<String, Object> cancel(@PathVariable String id, Caller caller) {
        return result(service.cancel(Ids.task(id), caller.ownerFilter()));
    }

    @RequiresScope(Scopes.RUNS_WRITE)
    @PostMapping("/tasks/{id}/run_now")
    @Operation(operationId = "runTaskNow", summary = "Enqueue a run of the task now")
    Map<String, Object> runNow(@PathVariable String id, Caller caller) {
        return result(service.runNow(Ids.task(id), caller.ownerFilter()));
    }

    @RequiresScope(Scopes.TASKS_UPDATE)
    @PostMapping(path = "/tasks/{id}/snooze")
    @Operation(operationId = "snoozeTask", summary = "Push the next occurrence of a task back",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = TaskSnoozeRequest.class))))
    Map<String, Object> snooze(@PathVariable String id, @RequestBody Object body, Caller caller) {
        UUID taskId = Ids.task(id);
        JsonFields f = JsonFields.of(body).allowOnly(List.of("delay_seconds", "reason"));
        Integer delay = f.integer("delay_seconds", 1, 604_800);
        if (delay == null) {
            throw ApiException.badRequest("delay_seconds", "delay_seconds is required (1–604800)");
        }
        return result(service.snooze(taskId, caller.ownerFilter(), delay, f.string("reason", 0, 500)));
    }

    @RequiresScope(Scopes.TASKS_READ)
    @GetMapping("/tasks/{id}/preview")
    @Parameter(name = "count", in = ParameterIn.QUERY, description = "How many (default 10)", schema = @Schema(type = "integer", minimum = "1", maximum = "1000", defaultValue = "10"))
    @Parameter(name = "after", in = ParameterIn.QUERY, description = "List occurrences after this instant (default now)", schema = @Schema(type = "string", format = "date-time"))
    @Operation(operationId = "previewTaskOccurrences", summary = "List the next occurrences of a task: what it will run at, given its status and snooze")
    Map<String, Object> preview(@PathVariable String id, @RequestParam MultiValueMap<String, String> query, Caller caller) {
        UUID taskId = Ids.task(id);
        QueryParams q = QueryParams.of(query);
        int count = q.integer("count", 1, 1000, 10);
        Instant after = q.instant("after");
        Task task = service.get(taskId, caller.ownerFilter());
        List<Instant> occurrences = service.preview(task, after == null ? clock.instant() : after, count);
        // status says why a task that is not active lists nothing
        return Map.of("timezone", task.spec().timezone(), "status", task.status().wireName(),
                "occurrences", OccurrenceFormat.format(occurrences, Schedules.zone(task.spec().timezone())));
    }

    private TaskView view(Task task) {
        return TaskView.of(task, service.nextRunAt(task));
    }

    private static Map<String, Object> result(TaskService.ActionResult r) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", true);
        body.put("message", r.message());
        body.put("details", r.details());
        return body;
    }
}
