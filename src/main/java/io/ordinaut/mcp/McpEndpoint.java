package io.ordinaut.mcp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ordinaut.web.ApiException;
import io.ordinaut.web.Authenticator;
import io.ordinaut.web.Caller;
import io.ordinaut.web.RequestContext;
import io.ordinaut.web.RoutePaths;

/**
 * {@code /mcp}: refuses a request without a valid bearer token the way the MCP authorization spec wants
 * a protected resource to (401 with {@code WWW-Authenticate: Bearer resource_metadata="…"}), then hands
 * it to the SDK's stateless transport. Scopes, rate limits and the audit row come per tool call, from
 * the tool's REST twin. HTTP-level refusals (401, 405, 413) have the REST API's error JSON; protocol
 * mistakes get JSON-RPC errors (see {@link McpRequestCheck}, {@link JsonRpcErrorResponse}).
 */
final class McpEndpoint extends HttpServlet {

    static final String METADATA_PATH = "/.well-known/oauth-protected-resource";
    /**
     * The SDK transport's own limit. The node's {@code ordinaut.security.max-body-bytes} (BodySizeLimitFilter,
     * which covers /mcp too, 1 MiB by default) normally refuses a body long before this.
     */
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(McpEndpoint.class);

    private final transient Authenticator authenticator;
    private final transient OrdinautMcpServer server;
    private final transient Clock clock;
    /** ordinaut.node.public-url, or null. */
    private final String publicUrl;

    McpEndpoint(Authenticator authenticator, OrdinautMcpServer server, Clock clock, String publicUrl) {
        this.authenticator = authenticator;
        this.server = server;
        this.clock = clock;
        this.publicUrl = publicUrl;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        try {
            serve(request, response);
        } catch (RuntimeException | ServletException e) {
            // the database unreachable (the token check, a tool's REST twin): the REST routes' 503 with Retry-After and
            // one WARN line, not a 500 with a stack trace per request
            ApiException down = ApiException.databaseUnavailable(request, e);
            if (down == null || response.isCommitted()) {
                throw e;
            }
            response.reset();
            down.headers().forEach(response::setHeader);
            restError(request, response, down.statusCode(), down.error(), down.getMessage(), down.details());
        }
    }

    private void serve(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        // the container picks this servlet for //mcp, /./mcp, /x/../mcp and /;x/mcp too, having normalised the path;
        // the REST routes match the path as sent, and so does /mcp
        if (!RoutePaths.matches(request, OrdinautMcpServer.ENDPOINT)) {
            restError(request, response, HttpServletResponse.SC_NOT_FOUND, "NotFound",
                    "No endpoint " + request.getMethod() + " " + request.getRequestURI(), Map.of());
            return;
        }
        if ("OPTIONS".equals(request.getMethod())) {
            // the methods it takes, to anyone, as every route answers OPTIONS (CORS preflights never get here)
            response.setHeader("Allow", "POST,OPTIONS");
            response.setStatus(HttpServletResponse.SC_OK);
            return;
        }
        Optional<Caller> caller = RequestContext.optionalCaller(request, authenticator);
        if (caller.isEmpty()) {
            refuse(request, response);
            return;
        }
        // stateless: every message is a POST; no server-to-client stream (GET) and no session to end (DELETE)
        if (!"POST".equals(request.getMethod())) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("method", request.getMethod());
            details.put("allowed", List.of("POST"));
            response.setHeader("Allow", "POST");
            restError(request, response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "MethodNotAllowed",
                    "Method " + request.getMethod() + " is not allowed on " + request.getRequestURI() + "; send MCP messages as POST",
                    details);
            return;
        }
        byte[] body = readBody(request);
        if (body == null) {
            restError(request, response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "PayloadTooLarge",
                    "Request body exceeds the limit of " + MAX_BODY_BYTES + " bytes", Map.of("max_bytes", MAX_BODY_BYTES));
            return;
        }
        McpRequestCheck.Outcome checked = McpRequestCheck.check(request.getContentType(), request.getHeader("Accept"),
                request.getHeader(McpRequestCheck.PROTOCOL_VERSION_HEADER), () -> server.transport(request, response).protocolVersions(), body);
        if (!checked.passed()) {
            // the client's mistake, answered to it: nothing for an operator to act on
            LOG.debug("MCP request refused: {}", checked.error().message());
            checked.error().writeTo(response);
            return;
        }
        if (checked.unheard()) {
            // a notification gets no answer but the 202 (MCP), whether anything listens for it or not
            LOG.debug("MCP notification without a handler ignored");
            response.setStatus(HttpServletResponse.SC_ACCEPTED);
            return;
        }
        request.setAttribute(OrdinautMcpServer.RESPONSE, response);
        request.setAttribute(OrdinautMcpServer.CALLER, caller.get());
        JsonRpcErrorResponse guarded = new JsonRpcErrorResponse(response, checked.id());
        server.transport(request, response).service(new ReplayedBodyRequest(request, OrdinautMcpServer.ENDPOINT, checked.json()), guarded);
        JsonRpcError sdkError = guarded.finish();
        if (sdkError != null) {
            LOG.debug("MCP transport answered {} {}", sdkError.status(), sdkError.message());
        }
    }

    /**
     * The whole body, or null when it is over {@link #MAX_BODY_BYTES}. A read that fails is rethrown as a
     * ServletException, which BodySizeLimitFilter recognises when its own limit is the cause and answers 413.
     */
    private static byte[] readBody(HttpServletRequest request) throws ServletException {
        long declared = request.getContentLengthLong();
        if (declared > MAX_BODY_BYTES) {
            return null;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(declared > 0 ? (int) declared : 1024);
        byte[] buffer = new byte[8192];
        try (InputStream in = request.getInputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (body.size() + n > MAX_BODY_BYTES) {
                    return null;
                }
                body.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new ServletException("Could not read the MCP request body", e);
        }
        return body.toByteArray();
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response) throws IOException {
        boolean presented = request.getHeader("Authorization") != null;
        String message = presented ? "The bearer token is unknown, expired or revoked" : "Authorization: Bearer <token> is required";
        StringBuilder challenge = new StringBuilder("Bearer resource_metadata=\"").append(baseUrl(request, publicUrl)).append(METADATA_PATH).append('"');
        if (presented) {
            challenge.append(", error=\"invalid_token\"");
        }
        response.setHeader("WWW-Authenticate", challenge.toString());
        // folded into the address's refusal row of the minute by the audit log, as every 401 is (UnroutedCallFilter)
        restError(request, response, HttpServletResponse.SC_UNAUTHORIZED, "Unauthorized", message, Map.of());
    }

    /** An HTTP-level refusal, in the REST API's error JSON ({@code error}, {@code message}, {@code details}, …). */
    private void restError(HttpServletRequest request, HttpServletResponse response, int status, String error, String message,
                           Map<String, Object> details) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
        body.put("details", details);
        body.put("request_id", RequestContext.requestId(request));
        body.put("timestamp", clock.instant().toString());
        response.getOutputStream().write(Jsons.bytes(body));
    }

    /**
     * This node as clients reach it: ordinaut.node.public-url when set; else as this request reached it
     * (scheme, host and port as forwarded by a trusted proxy, if any) — which is the client's Host header,
     * so any client can make it name another host (documented in mcp.md and operations.md).
     */
    static String baseUrl(HttpServletRequest request, String publicUrl) {
        if (publicUrl != null) {
            return publicUrl;
        }
        String scheme = request.getScheme();
        int port = request.getServerPort();
        boolean defaultPort = port <= 0 || "http".equals(scheme) && port == 80 || "https".equals(scheme) && port == 443;
        return scheme + "://" + request.getServerName() + (defaultPort ? "" : ":" + port);
    }

    @Override
    public void destroy() {
        server.close();
    }
}
