package io.ordinaut.mcp;

import java.nio.charset.CharacterCodingException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import jakarta.servlet.http.HttpServletResponse;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.json.JsonMapper;

import io.modelcontextprotocol.spec.McpSchema;
import io.ordinaut.web.ContentTypes;

/**
 * The checks the SDK's stateless transport makes before it handles a POST (Content-Type, Accept, a
 * JSON-RPC request or notification), made here first: the SDK answers a failed one with its McpError
 * exception serialized, stack trace and all, and logs the client's mistake at ERROR. The params of the
 * methods the server handles are checked too, which the SDK does not do at all, and so are the rules the
 * REST routes hold a body to and the SDK does not: the body is read in its declared charset (see {@link BodyText}),
 * no object names a key twice, and an {@code MCP-Protocol-Version} header names a version the server speaks.
 */
final class McpRequestCheck {

    /**
     * The request's id when it has a usable one, the error to answer with, if any, and the body as JSON text
     * for the SDK when it passed; {@code unheard} when it is a notification no handler of the SDK takes.
     */
    record Outcome(Object id, JsonRpcError error, String json, boolean unheard) {
        Outcome(Object id, JsonRpcError error, String json) {
            this(id, error, json, false);
        }

        boolean passed() {
            return error == null;
        }
    }

    /**
     * The notifications the SDK's stateless server has a handler for. It logs any other at WARN, each time — a
     * client's mistake (a misspelt name, a request sent without an id) that anyone with a token could repeat into
     * the log — and answers it 202, as {@link McpEndpoint} does without it.
     */
    private static final Set<String> HEARD_NOTIFICATIONS = Set.of(McpSchema.METHOD_NOTIFICATION_INITIALIZED,
            McpSchema.METHOD_NOTIFICATION_ROOTS_LIST_CHANGED);

    /** The header a client names the protocol version in after initialize (MCP Streamable HTTP). */
    static final String PROTOCOL_VERSION_HEADER = "MCP-Protocol-Version";

    private static final Object NOT_JSON = new Object();
    /** Deepest nesting of objects and arrays the SDK's mapper (Jackson's defaults) reads. */
    static final int MAX_DEPTH = StreamReadConstraints.defaults().getMaxNestingDepth();
    /**
     * Jackson's defaults, as the SDK's mapper, plus what the REST routes refuse too: a key given twice in one
     * object, of which the SDK would silently keep the last.
     */
    private static final JsonMapper STRICT = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final Set<String> TOOL_NAMES = OrdinautTool.ALL.stream().map(OrdinautTool::name).collect(Collectors.toUnmodifiableSet());
    /** Longest piece of the caller's request repeated in a message. */
    private static final int SHOWN = 100;

    private McpRequestCheck() {
    }

    /**
     * @param protocolVersion the {@value #PROTOCOL_VERSION_HEADER} header, or null
     * @param versions        the protocol versions the server speaks (looked at only when the header is sent)
     */
    static Outcome check(String contentType, String accept, String protocolVersion, Supplier<List<String>> versions, byte[] body) {
        Object parsed;
        String json = null;
        String parseProblem = null;
        try {
            json = BodyText.decode(body, isJson(contentType) && ContentTypes.parses(contentType) ? ContentTypes.namedCharset(contentType) : null);
            parsed = json.isEmpty() ? null : STRICT.readValue(json, Object.class);
        } catch (CharacterCodingException e) {
            parsed = NOT_JSON;
            parseProblem = "the body holds bytes that are not text in its charset (UTF-8 unless the Content-Type names another)";
        } catch (JacksonException e) {
            parsed = NOT_JSON;
            parseProblem = problem(e);
        }
        // the id is echoed in every error the body lets us name it for, including the header ones
        Object id = parsed instanceof Map<?, ?> message ? usableId(message.get("id")) : null;
        if (!isJson(contentType)) {
            return new Outcome(id, new JsonRpcError(HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE, JsonRpcError.INVALID_REQUEST,
                    "Unsupported Media Type: Content-Type must be application/json", id), null);
        }
        // a charset Spring cannot read (charset=bogus) or a malformed parameter: refused as on every REST route
        if (!ContentTypes.parses(contentType)) {
            return new Outcome(id, new JsonRpcError(HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE, JsonRpcError.INVALID_REQUEST,
                    "Unsupported Media Type: " + ContentTypes.refusal(contentType, "send application/json"), id), null);
        }
        if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream")) {
            return new Outcome(id, JsonRpcError.invalidRequest(
                    "the Accept header must list both application/json and text/event-stream", id), null);
        }
        // MCP (Streamable HTTP): a version the server does not speak is a 400; no header means 2025-03-26, which it does
        if (protocolVersion != null && !versions.get().contains(protocolVersion)) {
            return new Outcome(id, JsonRpcError.invalidRequest("the " + PROTOCOL_VERSION_HEADER + " header names \"" + shown(protocolVersion)
                    + "\", a version this server does not speak; it speaks " + String.join(", ", versions.get()), id), null);
        }
        if (parsed == null || parsed == NOT_JSON) {
            return new Outcome(null, new JsonRpcError(HttpServletResponse.SC_BAD_REQUEST, JsonRpcError.PARSE_ERROR,
                    parsed == null ? "Parse error: the body is empty"
                            : "Parse error: " + (parseProblem != null ? parseProblem : "the body is not valid JSON"), null), null);
        }
        JsonRpcError problem = problem(parsed, id);
        boolean notification = problem == null && !((Map<?, ?>) parsed).containsKey("id");
        return new Outcome(id, problem, json, notification && !HEARD_NOTIFICATIONS.contains(((Map<?, ?>) parsed).get("method")));
    }

    /**
     * Whether an Accept header lists a media type, with a weight above zero: {@code q=0} says "not acceptable"
     * (RFC 9110), as if the type were not listed.
     */
    static boolean accepts(String accept, String mediaType) {
        if (accept == null) {
            return false;
        }
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            if (!parts[0].trim().equalsIgnoreCase(mediaType)) {
                continue;
            }
            boolean refused = false;
            for (int i = 1; i < parts.length; i++) {
                String[] parameter = parts[i].split("=", 2);
                if (parameter.length == 2 && parameter[0].trim().equalsIgnoreCase("q")) {
                    refused = parameter[1].trim().matches("0(\\.0{0,3})?");
                }
            }
            if (!refused) {
                return true;
            }
        }
        return false;
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
     * What stopped the parser, when it is a rule a client can act on, without the parser's class names: a key
     * given twice, or one of the limits the SDK reads messages with (Jackson's StreamReadConstraints defaults);
     * null when the body was simply not JSON.
     */
    private static String problem(JacksonException e) {
        String said = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (said.startsWith("Duplicate Object property \"")) {
            String key = said.substring(said.indexOf('"') + 1, Math.max(said.indexOf('"') + 1, said.lastIndexOf('"')));
            TokenStreamLocation at = e.getLocation();
            String where = at != null && at.getLineNr() > 0 && at.getColumnNr() > 0
                    ? " at line " + at.getLineNr() + ", column " + at.getColumnNr() : "";
            return "duplicate key \"" + shown(key) + "\"" + where + "; a key may appear once in an object";
        }
        if (e instanceof StreamConstraintsException) {
            if (said.startsWith("Document nesting depth")) {
                return "the body is nested deeper than " + MAX_DEPTH + " levels of objects and arrays, the limit";
            }
            return "the body exceeds a limit of the JSON parser: " + said.replaceAll(", from `[^`]*`", "");
        }
        return null;
    }

    /** The caller's text, cut short and without control characters, to repeat in a message. */
    private static String shown(String text) {
        String clean = text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > SHOWN ? clean.substring(0, SHOWN) + "…" : clean;
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
