package io.ordinaut.event;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.InvalidInputException;
import io.ordinaut.JsonFields;

/**
 * One event to publish, checked the same way whether it came over REST or the inbound stream.
 *
 * @param eventId       the caller's id (publishing is then idempotent), or null for a generated one
 * @param sourceAgentId the agent the event is about or came from, as the publisher states it; may be null
 * @param payloadJson   the payload serialised, at most {@link EventProperties#maxPayloadBytes()} bytes
 */
record EventInput(String topic, Map<String, Object> payload, String payloadJson, String eventId, UUID sourceAgentId) {

    /** The fields of POST /events' body. */
    static final List<String> FIELDS = List.of("topic", "payload", "source_agent_id", "event_id");
    private static final Pattern EVENT_ID = Pattern.compile("[A-Za-z0-9._:/@-]{1,200}");

    /** An event_id that GET /events/{id} cannot serve: GET /events/stream is the SSE route (. and .. are refused too). */
    static final String STREAM = "stream";

    /**
     * The event a body of POST /events describes, or an inbound entry read as one: the same checks in the same
     * order, so both refuse with the same words. The payload's size is that of its JSON as this node writes it.
     *
     * @param body the body, its fields already limited to those allowed ({@link JsonFields#allowOnly})
     * @throws InvalidInputException    naming the field at fault
     * @throws PayloadTooLargeException when the payload is over the cap
     */
    static EventInput from(JsonFields body, JsonMapper json, int maxPayloadBytes) {
        Object payload = body.raw("payload");
        return of(body.raw("topic"), payload, json.writeValueAsString(payload), body.raw("event_id"),
                body.uuid("source_agent_id"), maxPayloadBytes);
    }

    /**
     * @throws InvalidInputException    naming the field at fault
     * @throws PayloadTooLargeException when the payload is over the cap
     */
    static EventInput of(Object topic, Object payload, String payloadJson, Object eventId, UUID sourceAgentId, int maxPayloadBytes) {
        if (topic == null) {
            throw new InvalidInputException("topic", "topic is required");
        }
        if (!(topic instanceof String t) || !TopicPattern.isTopic(t)) {
            throw new InvalidInputException("topic", "topic must be 1 to " + TopicPattern.MAX_LENGTH
                    + " characters: dot-separated segments of letters, digits and _ : / - (no spaces, no wildcards)");
        }
        if (payload == null) {
            throw new InvalidInputException("payload", "payload is required (a JSON object, may be empty)");
        }
        if (!(payload instanceof Map<?, ?>)) {
            throw new InvalidInputException("payload", "payload must be a JSON object");
        }
        int size = payloadJson.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (size > maxPayloadBytes) {
            throw new PayloadTooLargeException(size, maxPayloadBytes);
        }
        String id = null;
        if (eventId != null) {
            if (!(eventId instanceof String s) || !EVENT_ID.matcher(s).matches()) {
                throw new InvalidInputException("event_id", "event_id must be 1 to 200 characters among letters, digits"
                        + " and . _ : / @ -");
            }
            if (s.equals(".") || s.equals("..")) {
                // a URL's dot segments: GET /events/.. is the service index, GET /events/. is /events/
                throw new InvalidInputException("event_id", "event_id '" + s + "' is not allowed: an event id may not be . or .."
                        + ", since GET /events/" + s + " names another path (URL dot segments), so such an event could not be read by its id");
            }
            if (s.equals(STREAM)) {
                throw new InvalidInputException("event_id", "event_id " + STREAM + " is reserved: GET /events/" + STREAM
                        + " is the live stream, so such an event could not be read by its id");
            }
            id = s;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) payload;
        return new EventInput(t, object, payloadJson, id, sourceAgentId);
    }

    /** The payload is over ordinaut.events.max-payload-bytes (413 over REST, dead-lettered from the stream). */
    static final class PayloadTooLargeException extends RuntimeException {

        private final int maxBytes;

        PayloadTooLargeException(int size, int maxBytes) {
            super("payload is " + size + " bytes serialised, over the limit of " + maxBytes + " bytes");
            this.maxBytes = maxBytes;
        }

        int maxBytes() {
            return maxBytes;
        }
    }
}
