package io.ordinaut.task;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.burt.jmespath.jcf.JcfRuntime;

import io.ordinaut.InvalidInputException;

/**
 * Checks a task's references to the event that triggers it, at creation like every other template:
 * only event tasks see {@code ${event…}}, and an event task's {@code dedupe_key} template must compile
 * and read the event.
 */
final class EventReferences {

    private static final Pattern TEMPLATE = Pattern.compile("\\$\\{([^}]*)}");
    /** {@code event} as the root of an expression, not as a field of something else ({@code params.event}). */
    private static final Pattern EVENT_ROOT = Pattern.compile("(^|[\\[(,!|&{:]\\s*)event\\b");
    private static final JcfRuntime JMESPATH = new JcfRuntime();

    private EventReferences() {
    }

    static void check(TaskSpec spec) {
        boolean eventTask = "event".equals(spec.scheduleKind());
        if (!eventTask) {
            Object pipeline = spec.payload() == null ? null : spec.payload().get("pipeline");
            refuseEventReferences(pipeline, "payload.pipeline");
            return;
        }
        String key = spec.dedupeKey();
        if (key == null || !key.contains("${")) {
            return;
        }
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
