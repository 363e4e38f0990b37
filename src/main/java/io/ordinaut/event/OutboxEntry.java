package io.ordinaut.event;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.json.JsonMapper;

/**
 * One sequenced outbox row.
 *
 * @param seq    delivery position (SSE id, relay order)
 * @param id     the outbox id, carried by every delivered entry so consumers can deduplicate
 * @param stream {@code events} or {@code runs}
 * @param type   {@code event}, {@code run.succeeded}, {@code task.paused} …
 * @param owner  the agent whose event or task it is
 * @param body   the entry's fields as a JSON object
 */
record OutboxEntry(long seq, long id, String stream, String type, UUID owner, String body) {

    /** The entry's fields: {@code outbox_id}, {@code type}, then the body's own (event_id, run_id, …). */
    @SuppressWarnings("unchecked")
    Map<String, Object> fields(JsonMapper json) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("outbox_id", id);
        fields.put("type", type);
        fields.putAll(json.readValue(body, LinkedHashMap.class));
        return fields;
    }
}
