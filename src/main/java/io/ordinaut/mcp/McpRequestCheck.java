package io.ordinaut.mcp;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;

/**
 * The checks the SDK's stateless transport makes before it handles a POST (Content-Type, Accept, a
 * JSON-RPC request or notification), made here first: the SDK answers a failed one with its McpError
 * exception serialized, stack trace and all, and logs the client's mistake at ERROR.
 */
final class McpRequestCheck {

    /** The request's id when it has a usable one, and the error to answer with, if any. */
    record Outcome(Object id, JsonRpcError error) {
        boolean passed() {
            return error == null;
        }
    }

    private static final Object NOT_JSON = new Object();

    private McpRequestCheck() {
    }

    static Outcome check(String contentType, String accept, byte[] body) {
        Object parsed;
        try {
            parsed = Jsons.parse(body);
        } catch (RuntimeException e) {
            parsed = NOT_JSON;
        }
        // the id is echoed in every error the body lets us name it for, including the header ones
        Object id = parsed instanceof Map<?, ?> message ? usableId(message.get("id")) : null;
        if (!isJson(contentType)) {
            return new Outcome(id, new JsonRpcError(HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE, JsonRpcError.INVALID_REQUEST,
                    "Unsupported Media Type: Content-Type must be application/json", id));
        }
        // the same test as the SDK's, so nothing passes here that it refuses
        if (accept == null || !accept.contains("application/json") || !accept.contains("text/event-stream")) {
            return new Outcome(id, JsonRpcError.invalidRequest(
                    "the Accept header must list both application/json and text/event-stream", id));
        }
        if (parsed == null || parsed == NOT_JSON) {
            return new Outcome(null, new JsonRpcError(HttpServletResponse.SC_BAD_REQUEST, JsonRpcError.PARSE_ERROR,
                    parsed == null ? "Parse error: the body is empty" : "Parse error: the body is not valid JSON", null));
        }
        return new Outcome(id, problem(parsed, id));
    }

    private static JsonRpcError problem(Object parsed, Object id) {
        if (parsed instanceof List<?>) {
            return JsonRpcError.invalidRequest("batches are not supported; send one JSON-RPC message per POST", null);
        }
        if (!(parsed instanceof Map<?, ?> message)) {
            return JsonRpcError.invalidRequest("the body must be a JSON-RPC 2.0 request or notification object", null);
        }
        if (message.containsKey("id") && id == null) {
            return JsonRpcError.invalidRequest("\"id\" must be a string or a number", null);
        }
        if (!"2.0".equals(message.get("jsonrpc"))) {
            return JsonRpcError.invalidRequest("\"jsonrpc\" must be \"2.0\"", id);
        }
        if (!message.containsKey("method")) {
            return message.containsKey("result") || message.containsKey("error")
                    ? JsonRpcError.invalidRequest("this server takes requests and notifications, not responses", id)
                    : JsonRpcError.invalidRequest("\"method\" is required", id);
        }
        if (!(message.get("method") instanceof String method) || method.isBlank()) {
            return JsonRpcError.invalidRequest("\"method\" must be a non-empty string", id);
        }
        Object params = message.get("params");
        if (params != null && !(params instanceof Map<?, ?>)) {
            return JsonRpcError.invalidRequest("\"params\" must be an object", id);
        }
        return null;
    }

    private static Object usableId(Object id) {
        return id instanceof String || id instanceof Number ? id : null;
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String type = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
        return type.trim().toLowerCase(Locale.ROOT).equals("application/json");
    }
}
