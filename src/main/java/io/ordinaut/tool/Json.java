package io.ordinaut.tool;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Plain-Java JSON (Map, List, String, Number, Boolean, null) in and out, with Jackson 3.
 *
 * <p>Not the application's mapper bean, on purpose. What it parses is not a request but what a tool
 * answered, already capped at the transport's max body size: tools are third-party servers, and the
 * bean's request rules (a duplicate key is a 400) would turn an answer that every other JSON client
 * accepts into a failed run. What it writes are plain Maps and Lists (tool arguments, schemas, headers),
 * which every mapper writes alike. And value types such as {@link ToolSpec} use it, which are no beans.
 */
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
