package io.ordinaut.event;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.burt.jmespath.Expression;
import io.burt.jmespath.jcf.JcfRuntime;

import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.pipeline.BoundedJmesPath;

/**
 * What an event task decides at publish time: its {@code payload.event_filter} (a JMESPath expression over
 * the event, {@code {id, topic, payload, published_at, source_agent_id}}, that must be truthy) and its
 * dedupe_key, which may hold {@code ${…}} templates over {@code {event: …}} such as
 * {@code order-${event.payload.order_id}}. Both were checked to compile when the task was saved
 * (io.ordinaut.pipeline checks the filter); a task whose expression fails anyway — or passes the bounds on
 * what an expression may build ({@link BoundedJmesPath}) — is not triggered.
 */
final class EventExpressions {

    /**
     * The pipelines' bounded runtime: filters run inside the publisher's request, and an admin's event
     * evaluates every agent's filter, so one agent's {@code join('', [@, @])} chain must fail its own
     * filter (not matching), not exhaust the node the publisher is waiting on.
     */
    private static final JcfRuntime RUNTIME = BoundedJmesPath.RUNTIME;
    private static final int CACHE_LIMIT = 1000;
    private static final Map<String, Expression<Object>> CACHE = new ConcurrentHashMap<>();

    private final JsonMapper json;

    EventExpressions(JsonMapper json) {
        this.json = json;
    }

    /** JMESPath truthiness: false, null, "" and empty arrays and objects are false. */
    static boolean passes(String filter, Map<String, Object> event) {
        if (filter == null || filter.isBlank()) {
            return true;
        }
        Object value = BoundedJmesPath.search(compile(filter), event);
        if (value == null) {
            return false;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof String s) {
            return !s.isEmpty();
        }
        if (value instanceof Collection<?> c) {
            return !c.isEmpty();
        }
        return !(value instanceof Map<?, ?> m) || !m.isEmpty();
    }

    /**
     * The dedupe key for this event: each {@code ${expr}} replaced by its value over {@code {event}}. When
     * an expression finds nothing the run is not deduplicated (null): events lacking the field must not
     * all count as duplicates of each other.
     */
    String dedupeKey(String template, Map<String, Object> event) {
        if (template == null || !template.contains("${")) {
            return template;
        }
        Map<String, Object> root = Map.of("event", event);
        StringBuilder out = new StringBuilder();
        int from = 0;
        while (true) {
            int start = template.indexOf("${", from);
            int end = start < 0 ? -1 : template.indexOf('}', start);
            if (start < 0 || end < 0) {
                out.append(template, from, template.length());
                return out.toString();
            }
            out.append(template, from, start);
            Object value = BoundedJmesPath.search(compile(template.substring(start + 2, end)), root);
            if (value == null) {
                return null;
            }
            out.append(value instanceof String s ? s : json.writeValueAsString(BoundedJmesPath.writable(value)));
            from = end + 1;
        }
    }

    private static Expression<Object> compile(String text) {
        Expression<Object> cached = CACHE.get(text);
        if (cached != null) {
            return cached;
        }
        Expression<Object> compiled = RUNTIME.compile(text.strip());
        if (CACHE.size() >= CACHE_LIMIT) {
            CACHE.clear();
        }
        CACHE.put(text, compiled);
        return compiled;
    }
}
