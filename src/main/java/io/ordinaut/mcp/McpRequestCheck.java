package io.ordinaut.mcp;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.servlet.http.HttpServletResponse;

import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.StreamConstraintsException;

import io.ordinaut.web.ContentTypes;

/**
 * The checks the SDK's stateless transport makes before it handles a POST (Content-Type, Accept, a
 * JSON-RPC request or notification), made here first: the SDK answers a failed one with its McpError
 * exception serialized, stack trace and all, and logs the client's mistake at ERROR. The params of the
 * methods the server handles are checked too, which the SDK does not do at all.
 */
final class McpRequestCheck {

    /** The request's id when it has a usable one, and the error to answer with, if any. */
    record Outcome(Object id, JsonRpcError error) {
        boolean passed() {
            return error == null;
        }
    }

    private static final Object NOT_JSON = new Object();
    /** Deepest nesting of objects and arrays the SDK's mapper (Jackson's defaults) reads. */
    static final int MAX_DEPTH = StreamReadConstraints.defaults().getMaxNestingDepth();
    private static final Set<String> TOOL_NAMES = OrdinautTool.ALL.stream().map(OrdinautTool::name).collect(Collectors.toUnmodifiableSet());

    private McpRequestCheck() {
    }

    static Outcome check(String contentType, String accept, byte[] body) {
        Object parsed;
        String parseProblem = null;
        try {
            parsed = Jsons.parse(body);
        } catch (RuntimeException e) {
            parsed = NOT_JSON;
            parseProblem = limitExceeded(e);
        }
        // the id is echoed in every error the body lets us name it for, including the header ones
        Object id = parsed instanceof Map<?, ?> message ? usableId(message.get("id")) : null;
        if (!isJson(contentType)) {
            return new Outcome(id, new JsonRpcError(HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE, JsonRpcError.INVALID_REQUEST,
                    "Unsupported Media Type: Content-Type must be application/json", id));
        }
        // a charset Spring cannot read (charset=bogus) or a malformed parameter: refused as on every REST route
        if (!ContentTypes.parses(contentType)) {
            return new Outcome(id, new JsonRpcError(HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE, JsonRpcError.INVALID_REQUEST,
                    "Unsupported Media Type: " + ContentTypes.refusal(contentType, "send application/json"), id));
        }
        // the same test as the SDK's, so nothing passes here that it refuses
        if (accept == null || !accept.contains("application/json") || !accept.contains("text/event-stream")) {
            return new Outcome(id, JsonRpcError.invalidRequest(
                    "the Accept header must list both application/json and text/event-stream", id));
        }
        if (parsed == null || parsed == NOT_JSON) {
            return new Outcome(null, new JsonRpcError(HttpServletResponse.SC_BAD_REQUEST, JsonRpcError.PARSE_ERROR,
                    parsed == null ? "Parse error: the body is empty"
                            : "Parse error: " + (parseProblem != null ? parseProblem : "the body is not valid JSON"), null));
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
            return JsonRpcError.invalidRequest("\"id\" must be a string or an integer (a whole number from -2^63 to 2^63-1)", null);
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
        String problem = paramsProblem(method, (Map<?, ?>) params);
        if (problem != null) {
            return JsonRpcError.invalidParams(problem, id);
        }
        return "tools/call".equals(method) ? unknownTool((String) ((Map<?, ?>) params).get("name"), id) : null;
    }

    /**
     * The SDK's own answer to an unknown tool names none ({@code Unknown tool: invalid_tool_name}, the MCP
     * spec's example text); this one names the tool sent. Status 200 and code -32602 as the SDK's: it is
     * an MCP-level error, not a malformed request.
     */
    private static JsonRpcError unknownTool(String name, Object id) {
        if (TOOL_NAMES.contains(name)) {
            return null;
        }
        String shown = name.length() > 100 ? name.substring(0, 100) + "…" : name;
        return new JsonRpcError(HttpServletResponse.SC_OK, JsonRpcError.INVALID_PARAMS,
                "Unknown tool: " + shown + "; tools/list lists this server's tools", id);
    }

    /**
     * What a parser limit that stopped the body says, without the parser's class names; null when the body
     * was simply not JSON. The SDK reads messages with Jackson's default limits (StreamReadConstraints).
     */
    private static String limitExceeded(RuntimeException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof StreamConstraintsException limit) {
                if (limit.getMessage() != null && limit.getMessage().startsWith("Document nesting depth")) {
                    return "the body is nested deeper than " + MAX_DEPTH + " levels of objects and arrays, the limit";
                }
                String message = limit.getOriginalMessage() == null ? "" : limit.getOriginalMessage();
                return "the body exceeds a limit of the JSON parser: " + message.replaceAll(", from `[^`]*`", "");
            }
        }
        return null;
    }

    /**
     * What is wrong with the params of a method this server handles, or null. The SDK reads them without
     * looking: a missing one is a NullPointerException and a wrong type a MismatchedInputException, both
     * answered 500 with the exception's text and logged at ERROR. Values inside {@code arguments} are not
     * judged here: they are the REST twin's to refuse (or, for those that travel as text, {@link OrdinautTool#twin}'s),
     * as a tool error naming the field.
     */
    private static String paramsProblem(String method, Map<?, ?> params) {
        if (params != null && params.containsKey("_meta") && !(params.get("_meta") instanceof Map<?, ?>)) {
            return "\"params._meta\" must be an object";
        }
        return switch (method) {
            case "initialize" -> params == null ? method + " needs params (protocolVersion, capabilities, clientInfo)"
                    : firstProblem(
                            stringProblem(params, "protocolVersion", true),
                            objectProblem(params, "capabilities"),
                            objectProblem(params, "clientInfo"));
            case "tools/call" -> params == null ? method + " needs params with the tool's \"name\""
                    : firstProblem(
                            stringProblem(params, "name", true),
                            objectProblem(params, "arguments"));
            case "resources/read" -> params == null ? method + " needs params with the resource's \"uri\""
                    : stringProblem(params, "uri", true);
            case "tools/list", "resources/list", "resources/templates/list", "prompts/list" ->
                    params == null ? null : stringProblem(params, "cursor", false);
            default -> null;
        };
    }

    private static String stringProblem(Map<?, ?> params, String name, boolean required) {
        Object value = params.get(name);
        if (value == null) {
            return required ? "\"params." + name + "\" is required" : null;
        }
        return value instanceof String text && !text.isBlank() ? null : "\"params." + name + "\" must be a non-empty string";
    }

    /** Optional, but an object when given. */
    private static String objectProblem(Map<?, ?> params, String name) {
        Object value = params.get(name);
        return value == null || value instanceof Map<?, ?> ? null : "\"params." + name + "\" must be an object";
    }

    private static String firstProblem(String... problems) {
        for (String problem : problems) {
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /**
     * A string or an integer, as the SDK takes them (MCP: "a string or integer"): 1.5, 1e400 and integers
     * beyond a long are refused here, saying so, instead of by the SDK as "Invalid message format".
     */
    private static Object usableId(Object id) {
        return id instanceof String || id instanceof Integer || id instanceof Long ? id : null;
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
