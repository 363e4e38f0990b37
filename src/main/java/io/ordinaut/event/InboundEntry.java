package io.ordinaut.event;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.InvalidInputException;
import io.ordinaut.JsonFields;
import io.ordinaut.JsonSyntax;
import io.ordinaut.StrictUtf8;

/**
 * One entry of the inbound stream, read the way POST /events reads its body. Redis holds bytes: every field
 * name and value is decoded as strict UTF-8, so bytes that are not UTF-8 are refused, never replaced; each
 * field may be given once; the payload is parsed by the application's parser from its bytes, as a request
 * body is; and the fields are then checked by the code that checks POST /events' body (JsonFields,
 * {@link EventInput#from}), so a refusal says what POST /events says.
 */
final class InboundEntry {

    static final String AGENT_ID = "agent_id";
    /** POST /events' fields, and the publishing agent, which an entry names since it carries no token. */
    static final List<String> FIELDS = Stream.concat(EventInput.FIELDS.stream(), Stream.of(AGENT_ID)).toList();
    private static final String PAYLOAD = "payload";

    private final Map<String, byte[]> fields;

    private InboundEntry(Map<String, byte[]> fields) {
        this.fields = fields;
    }

    /**
     * @param body the entry as read with a byte-array codec: one map entry per field as Redis holds it, a field
     *             given twice included (arrays are distinct keys, compared by identity)
     * @throws InvalidInputException for a field name that is not UTF-8, or a field given twice
     */
    static InboundEntry of(Map<byte[], byte[]> body) {
        Map<String, byte[]> fields = new LinkedHashMap<>();
        for (Map.Entry<byte[], byte[]> field : body.entrySet()) {
            String name;
            try {
                name = utf8(field.getKey());
            } catch (StrictUtf8.NotUtf8 e) {
                throw new InvalidInputException("entry", "a field name holds bytes that are not UTF-8" + e.at());
            }
            if (fields.putIfAbsent(name, field.getValue()) != null) {
                throw new InvalidInputException(name, "duplicate field " + name + ": an entry gives each field once");
            }
        }
        return new InboundEntry(fields);
    }

    /** The publishing agent's id. */
    UUID agent() {
        byte[] value = fields.get(AGENT_ID);
        if (value == null) {
            throw new InvalidInputException(AGENT_ID, "agent_id is required (the publishing agent)");
        }
        try {
            return UUID.fromString(text(AGENT_ID, value).strip());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(AGENT_ID, "agent_id must be a UUID");
        }
    }

    /** The event, checked as POST /events checks its body (unknown fields, NUL characters, source_agent_id …). */
    EventInput event(JsonMapper json, int maxPayloadBytes) {
        Map<String, Object> body = new LinkedHashMap<>();
        fields.forEach((name, value) -> body.put(name, PAYLOAD.equals(name) ? payload(json, value) : text(name, value)));
        return EventInput.from(JsonFields.of(body).allowOnly(FIELDS), json, maxPayloadBytes);
    }

    private static String text(String name, byte[] value) {
        try {
            return utf8(value);
        } catch (StrictUtf8.NotUtf8 e) {
            throw new InvalidInputException(name, name + " holds bytes that are not UTF-8" + e.at());
        }
    }

    /** Parsed from the bytes, as a request body is, so a failure is told in the same words and places. */
    private static Object payload(JsonMapper json, byte[] value) {
        if (value.length == 0) {
            throw new InvalidInputException(PAYLOAD, "payload is not valid JSON: the field is empty");
        }
        Object parsed;
        try {
            parsed = json.readValue(value, Object.class);
        } catch (JacksonException e) {
            throw new InvalidInputException(PAYLOAD, JsonSyntax.notValid(PAYLOAD, e));
        }
        try {
            // what the parser lets through: overlong forms, surrogates and code points beyond U+10FFFF in UTF-8's
            // shape, and UTF-16 or UTF-32, which it recognises by their zero bytes or byte order mark
            utf8(value);
        } catch (StrictUtf8.NotUtf8 e) {
            throw new InvalidInputException(PAYLOAD, "payload is not valid JSON: bytes that are not UTF-8" + e.at());
        }
        return parsed;
    }

    private static String utf8(byte[] bytes) {
        return StrictUtf8.decode(bytes);
    }
}
