package io.ordinaut.mcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;

/** JSON text in and out, with the MCP SDK's mapper (plain names: MCP and REST bodies are written as is). */
final class Jsons {

    static final McpJsonMapper MAPPER = McpJsonDefaults.getMapper();
    private static final TypeRef<Object> ANY = new TypeRef<>() {
    };
    private static final TypeRef<Map<String, Object>> OBJECT = new TypeRef<>() {
    };

    private Jsons() {
    }

    static String text(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JSON value of a body; null for an empty one. */
    static Object parse(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            return MAPPER.readValue(body, ANY);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> object(byte[] body) {
        try {
            return MAPPER.readValue(body, OBJECT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
