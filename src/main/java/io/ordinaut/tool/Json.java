package io.ordinaut.tool;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** Plain-Java JSON (Map, List, String, Number, Boolean, null) in and out, with Jackson 3. */
final class Json {

    static final JsonMapper MAPPER = JsonMapper.shared();

    private Json() {
    }

    static byte[] write(Object value) {
        return MAPPER.writeValueAsBytes(value);
    }

    static String text(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    /** @throws JacksonException when the text is not JSON */
    static Object parse(String text) {
        return MAPPER.readValue(text, Object.class);
    }

    static boolean isJson(String text) {
        try {
            MAPPER.readTree(text);
            return true;
        } catch (JacksonException e) {
            return false;
        }
    }
}
