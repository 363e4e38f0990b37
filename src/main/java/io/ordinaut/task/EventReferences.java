package io.ordinaut.task;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.burt.jmespath.jcf.JcfRuntime;

import io.ordinaut.InvalidInputException;

/**
 * Checks a task's references to the event that triggers it, at creation like every other template:
 * only event tasks see {@code ${event…}} (in the pipeline and in {@code dedupe_key}) and may have a
 * {@code payload.event_filter}, and an event task's {@code dedupe_key} template must compile and read the
 * event.
 */
final class EventReferences {

    private static final Pattern TEMPLATE = Pattern.compile("\\$\\{([^}]*)}");
    /** {@code event} as the root of an expression, not as a field of something else ({@code params.event}). */
    private static final Pattern EVENT_ROOT = Pattern.compile("(^|[\\[(,!|&{:]\\s*)event\\b");
    /** A field read from the event at the root: {@code event.topic}, {@code event."topic"}. */
    private static final Pattern EVENT_FIELD = Pattern.compile(
            "(?:^|[\\[(,!|&{:]\\s*)event\\s*\\.\\s*(?:([A-Za-z_][A-Za-z0-9_]*)|\"([^\"]*)\")");
    /** What a run's pipeline sees as {@code event} (PipelineRunner); the publisher's own fields are under payload. */
    private static final List<String> PIPELINE_FIELDS = List.of("id", "topic", "payload", "published_at");
    /** What a dedupe_key template sees (EventPublisher): the pipeline's fields and source_agent_id. */
    private static final List<String> DEDUPE_FIELDS = List.of("id", "topic", "payload", "published_at", "source_agent_id");
    private static final JcfRuntime JMESPATH = new JcfRuntime();

    private EventReferences() {
    }

    static void check(TaskSpec spec) {
        boolean eventTask = "event".equals(spec.scheduleKind());
        if (!eventTask) {
            Object pipeline = spec.payload() == null ? null : spec.payload().get("pipeline");
            refuseEventReferences(pipeline, "payload.pipeline");
            // a non-event task's dedupe_key is taken literally: "${event.topic}" would be one fixed key for every run
            refuseEventReferences(spec.dedupeKey(), "dedupe_key");
            if (spec.payload() != null && spec.payload().containsKey("event_filter")) {
                throw new InvalidInputException("payload.event_filter", "payload.event_filter decides which events trigger a task,"
                        + " so only tasks with schedule_kind event may have one; this task's schedule_kind is " + spec.scheduleKind());
            }
            return;
        }
        Object pipeline = spec.payload() == null ? null : spec.payload().get("pipeline");
        refuseUnknownFields(pipeline, "payload.pipeline", PIPELINE_FIELDS);
        String key = spec.dedupeKey();
        if (key == null || !key.contains("${")) {
            return;
        }
        refuseUnknownFields(key, "dedupe_key", DEDUPE_FIELDS);
        Matcher m = TEMPLATE.matcher(key);
        while (m.find()) {
            String expression = m.group(1).strip();
            try {
                JMESPATH.compile(expression);
            } catch (RuntimeException e) {
                throw new InvalidInputException("dedupe_key", "dedupe_key: ${" + expression + "} is not a JMESPath expression: "
                        + e.getMessage());
            }
            if (!EVENT_ROOT.matcher(expression).find()) {
                throw new InvalidInputException("dedupe_key", "dedupe_key: ${" + expression + "} must read the event, e.g. "
                        + "${event.payload.order_id}");
            }
        }
    }

    /** Refuses {@code ${event.nope}}, as {@code ${steps.nope.x}} is refused: a field no event has is a typo. */
    private static void refuseUnknownFields(Object value, String path, List<String> fields) {
        if (value instanceof String text) {
            Matcher m = TEMPLATE.matcher(text);
            while (m.find()) {
                Matcher field = EVENT_FIELD.matcher(m.group(1).strip());
                while (field.find()) {
                    String name = field.group(1) != null ? field.group(1) : field.group(2);
                    if (!fields.contains(name)) {
                        throw new InvalidInputException(path, path + ": ${" + m.group(1).strip() + "} reads event." + name
                                + ", which no event has; an event has " + String.join(", ", fields)
                                + " (what the publisher sent is under event.payload)");
                    }
                }
            }
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> refuseUnknownFields(v, path + "." + k, fields));
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                refuseUnknownFields(list.get(i), path + "[" + i + "]", fields);
            }
        }
    }

    private static void refuseEventReferences(Object value, String path) {
        if (value instanceof String text) {
            Matcher m = TEMPLATE.matcher(text);
            while (m.find()) {
                if (EVENT_ROOT.matcher(m.group(1).strip()).find()) {
                    throw new InvalidInputException(path, path + ": ${" + m.group(1).strip() + "} reads the triggering event, "
                            + "which only tasks with schedule_kind event have");
                }
            }
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> refuseEventReferences(v, path + "." + k));
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                refuseEventReferences(list.get(i), path + "[" + i + "]");
            }
        }
    }
}
