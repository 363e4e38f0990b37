package io.ordinaut.mcp;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;

/**
 * A JSON-RPC 2.0 error response for a message {@code /mcp} could not take, with the HTTP status it goes
 * out with: {@code {"jsonrpc":"2.0","id":…,"error":{"code":…,"message":…}}}, and nothing else.
 *
 * @param id the request's id when it could be read (a string or a number), else null
 */
record JsonRpcError(int status, int code, String message, Object id) {

    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int INVALID_PARAMS = -32602;
    static final int INTERNAL_ERROR = -32603;
    /**
     * The REST twin of a resources/read refused it (403, 429, 503 …): a server error in JSON-RPC's
     * implementation-defined range, its message and data those of the REST error.
     */
    static final int REFUSED = -32000;

    static JsonRpcError invalidRequest(String problem, Object id) {
        return new JsonRpcError(HttpServletResponse.SC_BAD_REQUEST, INVALID_REQUEST, "Invalid Request: " + problem, id);
    }

    /** Answered 400 as an invalid request is: the SDK never saw it, so it is no MCP-level error (200). */
    static JsonRpcError invalidParams(String problem, Object id) {
        return new JsonRpcError(HttpServletResponse.SC_BAD_REQUEST, INVALID_PARAMS, "Invalid params: " + problem, id);
    }

    byte[] body() {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jsonrpc", "2.0");
        body.put("id", id);
        body.put("error", error);
        return Jsons.bytes(body);
    }

    void writeTo(HttpServletResponse response) throws IOException {
        byte[] body = body();
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
