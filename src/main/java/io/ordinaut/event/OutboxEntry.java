package io.ordinaut.event;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.StoredJson;

/**
 * One sequenced outbox entry (an outbox row holds the entries one statement wrote).
 *
 * @param seq    delivery position (SSE id, relay order), also the {@code outbox_id} every delivered entry
 *               carries so consumers can deduplicate
 * @param stream {@code events} or {@code runs}
 * @param type   {@code event}, {@code run.succeeded}, {@code task.paused} …
 * @param owner  the agent whose event or task it is
 * @param body   the entry's fields as a JSON object
 */
record OutboxEntry(long seq, String stream, String type, UUID owner, String body) {

    /** The entry's fields: {@code outbox_id}, {@code type}, then the body's own (event_id, run_id, …). */
    @SuppressWarnings("unchecked")
    Map<String, Object> fields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("outbox_id", seq);
        fields.put("type", type);
        fields.putAll(StoredJson.READER.readValue(body, LinkedHashMap.class));
        return fields;
    }

    /**
     * The entries of one outbox row, as the triggers of changelog 023 wrote them ({type, agent_id, task_id,
     * body} each); owners of run entries are not resolved here.
     */
    static java.util.List<OutboxEntry> unpack(long seq, String stream, String entries, JsonMapper json) {
        JsonNode array = StoredJson.READER.readTree(entries);
        java.util.List<OutboxEntry> unpacked = new java.util.ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode e = array.get(i);
            JsonNode agent = e.get("agent_id");
            UUID owner = agent == null || agent.isNull() ? null : UUID.fromString(agent.asString());
            unpacked.add(new OutboxEntry(seq + i, stream, e.get("type").asString(), owner, json.writeValueAsString(e.get("body"))));
        }
        return unpacked;
    }
}
