package io.ordinaut.mcp;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The short text a model reads beside a tool's structured answer. */
final class Renderings {

    private static final int MAX_LINES = 20;

    private Renderings() {
    }

    static String render(OrdinautTool.Rendering rendering, Map<String, Object> body) {
        return switch (rendering) {
            case TASK -> task(body);
            case TASK_PAGE -> page(body, "tasks", Renderings::task);
            case RUN -> runWithTrace(body);
            case RUN_PAGE -> page(body, "runs", Renderings::run);
            case TOOL_PAGE -> page(body, "tools", Renderings::tool);
            case PREVIEW -> preview(body);
            case ACTION, EVENT -> action(body);
        };
    }

    private static String task(Map<String, Object> t) {
        return "Task " + t.get("id") + " \"" + t.get("title") + "\" is " + t.get("status") + "; " + t.get("schedule_kind") + " "
                + t.get("schedule_expr") + " in " + t.get("timezone") + "; next run " + or(t.get("next_run_at"), "none") + ".";
    }

    /** A tool registered without a description is listed without one (not as "null"). */
    private static String tool(Map<String, Object> t) {
        String line = t.get("address") + " (" + t.get("transport") + ")";
        return t.get("description") instanceof String d && !d.isBlank() ? line + ": " + d : line;
    }

    private static String run(Map<String, Object> r) {
        StringBuilder text = new StringBuilder("Run " + r.get("id") + " of task " + r.get("task_id") + " is " + r.get("status")
                + " (attempt " + r.get("attempt") + ", " + r.get("trigger") + ")");
        if (r.get("finished_at") != null) {
            text.append(", finished ").append(r.get("finished_at"));
            if (r.get("duration_ms") != null) {
                text.append(" after ").append(r.get("duration_ms")).append(" ms");
            }
        } else if (r.get("run_at") != null) {
            text.append(", due ").append(r.get("run_at"));
        }
        text.append('.');
        if (r.get("error") != null) {
            text.append(" Error: ").append(r.get("error"));
        }
        return text.toString();
    }

    /** A run with its step trace, one line per step. */
    private static String runWithTrace(Map<String, Object> r) {
        StringBuilder text = new StringBuilder(run(r));
        if (OpenApiSchemas.map(r.get("output")).get("trace") instanceof List<?> trace && !trace.isEmpty()) {
            text.append("\nSteps:");
            trace.stream().limit(MAX_LINES).map(OpenApiSchemas::map).forEach(step -> {
                text.append("\n- ").append(step.get("id")).append(" (").append(step.get("uses")).append("): ").append(step.get("status"));
                if (step.get("duration_ms") != null) {
                    text.append(", ").append(step.get("duration_ms")).append(" ms");
                }
                if (step.get("error") != null) {
                    text.append(", error: ").append(step.get("error"));
                }
            });
        }
        return text.toString();
    }

    private static String page(Map<String, Object> body, String what, java.util.function.Function<Map<String, Object>, String> line) {
        List<?> items = body.get("items") instanceof List<?> l ? l : List.of();
        StringBuilder text = new StringBuilder(items.size() + " of " + body.get("total") + " " + what
                + (Boolean.TRUE.equals(body.get("has_more")) ? " (more with offset " + (number(body.get("offset")) + items.size()) + ")" : "")
                + (items.isEmpty() ? "." : ":"));
        items.stream().limit(MAX_LINES).forEach(item -> text.append("\n- ").append(line.apply(OpenApiSchemas.map(item))));
        if (items.size() > MAX_LINES) {
            text.append("\n- … ").append(items.size() - MAX_LINES).append(" more in the structured content");
        }
        return text.toString();
    }

    private static String preview(Map<String, Object> body) {
        List<?> occurrences = body.get("occurrences") instanceof List<?> l ? l : List.of();
        StringBuilder text = new StringBuilder(occurrences.size() + " occurrence(s) in " + body.get("timezone")
                + (occurrences.isEmpty() ? " (the schedule never fires after the given instant)." : ":"));
        occurrences.stream().limit(MAX_LINES).forEach(o -> text.append("\n- ").append(o));
        if (body.get("dst_notes") instanceof List<?> notes) {
            notes.forEach(n -> text.append("\nNote: ").append(n));
        }
        return text.toString();
    }

    /**
     * Where the UTC offset changes between consecutive occurrences — a daylight-saving transition in the
     * zone — so a model does not take the shifted offset for a mistake.
     */
    static List<String> dstNotes(List<?> occurrences, Object zone) {
        List<String> notes = new ArrayList<>();
        OffsetDateTime previous = null;
        for (Object o : occurrences) {
            OffsetDateTime at;
            try {
                at = OffsetDateTime.parse(o.toString());
            } catch (DateTimeParseException e) {
                return notes;
            }
            if (previous != null && !previous.getOffset().equals(at.getOffset())) {
                notes.add("UTC offset changes from " + previous.getOffset() + " to " + at.getOffset() + " between " + previous
                        + " and " + at + " (daylight-saving change in " + zone + "); wall-clock times stay as scheduled");
            }
            previous = at;
        }
        return notes;
    }

    private static String action(Map<String, Object> body) {
        String message = String.valueOf(body.getOrDefault("message", "Done"));
        Object details = body.get("details");
        return details instanceof Map<?, ?> d && !d.isEmpty() ? message + " " + Jsons.text(details) : message;
    }

    private static Object or(Object value, Object fallback) {
        return value == null ? fallback : value;
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }
}
