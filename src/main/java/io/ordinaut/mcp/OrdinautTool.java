package io.ordinaut.mcp;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One MCP tool and the REST route it stands for (its twin): the route's method and path, the OpenAPI
 * operation whose request schema is the tool's input schema, and where the arguments go — an id into
 * the path, the rest into the JSON body or the query string.
 *
 * @param idArgument the argument that fills {@code {id}} in the path, or null
 * @param arguments  where the other arguments go
 */
record OrdinautTool(String name, String title, String description, String operationId, String method, String path,
                    String idArgument, Arguments arguments, boolean readOnly, boolean destructive, Rendering rendering) {

    /** The text of a UUID; anything longer is no id ({@code UUID.fromString} refuses it too). */
    static final int MAX_ID_LENGTH = 36;

    /** Where the arguments (other than the id) go. */
    enum Arguments { BODY, QUERY, NONE }

    /** How the answer reads as text. */
    enum Rendering { TASK, TASK_PAGE, ACTION, PREVIEW, RUN, RUN_PAGE, TOOL_PAGE, EVENT }

    /**
     * The REST request for these arguments. An argument that travels as text — the id into the path, a list's
     * filters into the query string — is checked against its type in {@code properties} (the tool's input schema)
     * here: as text the twin could not tell {@code {"$ne": 1}} from a string, and would look for a task of that
     * name; so is an argument the tool does not take. Arguments that go into a JSON body keep their type, and the
     * twin judges them.
     *
     * @param properties the {@code properties} of the tool's input schema
     * @throws InvalidArgument naming the argument that is missing, unknown or of the wrong type
     */
    Twin twin(Map<String, Object> args, Map<String, Object> properties) {
        String target = path;
        if (arguments != Arguments.BODY) {
            refuseUnknown(args, properties);
        }
        Map<String, Object> rest = new LinkedHashMap<>(args);
        if (idArgument != null) {
            Object id = rest.remove(idArgument);
            if (id == null || id instanceof String text && text.isBlank()) {
                throw new InvalidArgument(idArgument, idArgument + " is required: " + idHint());
            }
            if (!(id instanceof String text)) {
                throw new InvalidArgument(idArgument, idArgument + " must be a string, " + idHint() + ", not " + jsonType(id));
            }
            if (text.length() > MAX_ID_LENGTH) {
                throw new InvalidArgument(idArgument, tooLong(idArgument, text, idHint()));
            }
            target = path.replace("{id}", URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return switch (arguments) {
            case BODY -> new Twin(method, target, Map.of(), rest);
            case QUERY -> new Twin(method, target, query(rest, properties), null);
            case NONE -> new Twin(method, target, Map.of(), method.equals("GET") ? null : Map.of());
        };
    }

    /**
     * An argument the tool does not take is refused, naming it as the twin names an unknown body field: the query
     * string of a list, or a route without a body, would otherwise drop it, and {@code list_runs {"taskId": …}}
     * would answer every run. Arguments of a JSON body are left to the twin, which refuses unknown fields itself.
     */
    private static void refuseUnknown(Map<String, Object> args, Map<String, Object> properties) {
        for (String name : args.keySet()) {
            if (!properties.containsKey(name)) {
                throw new InvalidArgument(name, "Unknown field " + name + "; allowed fields: " + String.join(", ", new TreeSet<>(properties.keySet())));
            }
        }
    }

    String idHint() {
        return idArgument.equals("run_id") ? "the id of a run (from run_task_now or list_runs)"
                : "the id of a task (from create_task or list_tasks)";
    }

    /**
     * Query parameters are text: an object or an array is none, and a parameter typed {@code string} takes only
     * a string. A number or boolean given for an integer or boolean parameter (or a string holding one) goes as
     * its text, which the twin parses and refuses naming the parameter ({@code limit must be an integer}).
     */
    private static Map<String, String> query(Map<String, Object> args, Map<String, Object> properties) {
        Map<String, String> query = new LinkedHashMap<>();
        args.forEach((name, value) -> {
            if (value == null) {
                return;
            }
            String type = type(properties.get(name));
            if (value instanceof Map<?, ?> || value instanceof List<?> || "string".equals(type) && !(value instanceof String)) {
                throw new InvalidArgument(name, name + " must be " + (type == null ? "a string, a number or true or false"
                        : describe(type)) + ", not " + jsonType(value));
            }
            if ("uuid".equals(format(properties.get(name))) && value.toString().length() > MAX_ID_LENGTH) {
                throw new InvalidArgument(name, tooLong(name, value.toString(), "an id"));
            }
            query.put(name, value.toString());
        });
        return query;
    }

    /**
     * An id longer than any UUID names nothing. It is refused here, without echoing it: the twin's 404 or 400 would
     * repeat it in both text blocks of the answer and in the audit row, where over REST a URL that long is a 414.
     */
    private static String tooLong(String name, String value, String what) {
        return name + " is " + value.length() + " characters long, longer than any id: " + what + " is a UUID, "
                + MAX_ID_LENGTH + " characters";
    }

    private static String format(Object schema) {
        return schema instanceof Map<?, ?> map && map.get("format") instanceof String f ? f : null;
    }

    /** The JSON type a property's schema declares ({@code "string"}, or the first of {@code ["string", "null"]}), or null. */
    private static String type(Object schema) {
        Object type = schema instanceof Map<?, ?> map ? map.get("type") : null;
        if (type instanceof List<?> types) {
            return types.stream().filter(t -> t instanceof String && !"null".equals(t)).map(String.class::cast).findFirst().orElse(null);
        }
        return type instanceof String t ? t : null;
    }

    private static String describe(String type) {
        return switch (type) {
            case "integer" -> "an integer";
            case "boolean" -> "true or false";
            case "object", "array" -> "an " + type;
            default -> "a " + type;
        };
    }

    /** What a JSON value is, for an error message. */
    private static String jsonType(Object value) {
        if (value instanceof Map<?, ?>) {
            return "an object";
        }
        if (value instanceof List<?>) {
            return "an array";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        if (value instanceof Number) {
            return "a number";
        }
        return "a string";
    }

    /** A REST request: method, path, query parameters and JSON body (null: none). */
    record Twin(String method, String path, Map<String, String> query, Object body) {
    }

    /** A required argument is missing, or of the wrong type; reported like the REST API's 400 for such a field. */
    static final class InvalidArgument extends RuntimeException {
        private final String field;

        InvalidArgument(String field, String message) {
            super(message);
            this.field = field;
        }

        String field() {
            return field;
        }
    }

    /** The tools, in the order a client lists them. */
    static final List<OrdinautTool> ALL = List.of(
            new OrdinautTool("create_task", "Create a task",
                    "Schedule work. Takes the same fields as POST /tasks: title, schedule_kind (cron | rrule | once | interval | event), "
                            + "schedule_expr, timezone (IANA, e.g. Europe/Chisinau; default UTC) and payload "
                            + "{\"params\": {...}, \"pipeline\": [{\"id\", \"uses\": \"<tool address>\", \"with\": {...}, \"save_as\"}]}. "
                            + "Use preview_schedule first to check when it fires, and list_tools for the tool addresses a pipeline may use. "
                            + "Returns the task with its id and next_run_at.",
                    "createTask", "POST", "/tasks", null, Arguments.BODY, false, false, Rendering.TASK),
            new OrdinautTool("list_tasks", "List tasks",
                    "List your tasks, newest first, optionally filtered by status (active, paused, canceled, completed) or schedule_kind; "
                            + "paged with limit and offset.",
                    "listTasks", "GET", "/tasks", null, Arguments.QUERY, true, false, Rendering.TASK_PAGE),
            new OrdinautTool("get_task", "Get a task",
                    "Get one task by task_id: its schedule, payload, status and next_run_at.",
                    "getTask", "GET", "/tasks/{id}", "task_id", Arguments.NONE, true, false, Rendering.TASK),
            new OrdinautTool("update_task", "Change a task",
                    "Change some fields of a task: task_id plus any fields of the PUT /tasks/{id} body (the fields of create_task); "
                            + "fields left out keep their value. A new schedule is re-planned from now.",
                    "updateTask", "PUT", "/tasks/{id}", "task_id", Arguments.BODY, false, false, Rendering.TASK),
            new OrdinautTool("pause_task", "Pause a task",
                    "Pause a task: no occurrence runs until resume_task.",
                    "pauseTask", "POST", "/tasks/{id}/pause", "task_id", Arguments.NONE, false, false, Rendering.ACTION),
            new OrdinautTool("resume_task", "Resume a task",
                    "Resume a paused task; its next occurrence is planned from now.",
                    "resumeTask", "POST", "/tasks/{id}/resume", "task_id", Arguments.NONE, false, false, Rendering.ACTION),
            new OrdinautTool("cancel_task", "Cancel a task",
                    "Cancel a task for good (it stays readable, with its runs). Cannot be undone.",
                    "cancelTask", "POST", "/tasks/{id}/cancel", "task_id", Arguments.NONE, false, true, Rendering.ACTION),
            new OrdinautTool("snooze_task", "Snooze a task",
                    "Push the task's next occurrence back by delay_seconds (1-604800). reason (optional) is only echoed back in the "
                            + "answer: it is not stored, and the audit log records the call but no request body.",
                    "snoozeTask", "POST", "/tasks/{id}/snooze", "task_id", Arguments.BODY, false, false, Rendering.ACTION),
            new OrdinautTool("run_task_now", "Run a task now",
                    "Queue a run of the task right away, outside its schedule. Returns the run_id; read it with get_run.",
                    "runTaskNow", "POST", "/tasks/{id}/run_now", "task_id", Arguments.NONE, false, false, Rendering.ACTION),
            new OrdinautTool("preview_schedule", "Preview a schedule",
                    "List when a schedule fires, without creating a task: schedule_kind, schedule_expr, timezone, count (default 10). "
                            + "Occurrences are ISO-8601 with the zone's offset at that instant; offset changes (daylight saving) are noted.",
                    "previewSchedule", "POST", "/schedules/preview", null, Arguments.BODY, true, false, Rendering.PREVIEW),
            new OrdinautTool("list_runs", "List runs",
                    "List runs (one row per attempt), newest first, filtered by task_id, status, success, trigger, start_time, end_time; "
                            + "include_errors=true shows error text and step traces.",
                    "listRuns", "GET", "/runs", null, Arguments.QUERY, true, false, Rendering.RUN_PAGE),
            new OrdinautTool("get_run", "Get a run",
                    "Get one run by run_id: status, attempt, timings, error, and its output with the step trace of its pipeline.",
                    "getRun", "GET", "/runs/{id}", "run_id", Arguments.NONE, true, false, Rendering.RUN),
            new OrdinautTool("retry_run", "Retry a run",
                    "Queue a failed or dead run again under the same run_id.",
                    "retryRun", "POST", "/runs/{id}/retry", "run_id", Arguments.NONE, false, false, Rendering.ACTION),
            new OrdinautTool("list_tools", "List pipeline tools",
                    "List the tools a task's pipeline may call (uses: \"<address>\"), with their input schemas.",
                    "listTools", "GET", "/tools", null, Arguments.QUERY, true, false, Rendering.TOOL_PAGE),
            new OrdinautTool("publish_event", "Publish an event",
                    "Publish an event on a topic; tasks with schedule_kind event whose topic pattern matches are run with it.",
                    "publishEvent", "POST", "/events", null, Arguments.BODY, false, false, Rendering.EVENT));
}
