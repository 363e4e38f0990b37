package io.ordinaut.mcp;

import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.ordinaut.audit.AuditLog;
import io.ordinaut.web.Authenticator;
import io.ordinaut.web.Caller;
import io.ordinaut.web.RequestContext;

/**
 * {@code /mcp}: refuses a request without a valid bearer token the way the MCP authorization spec wants
 * a protected resource to (401 with {@code WWW-Authenticate: Bearer resource_metadata="…"}), then hands
 * it to the SDK's stateless transport. Scopes, rate limits and the audit row come per tool call, from
 * the tool's REST twin.
 */
final class McpEndpoint extends HttpServlet {

    static final String METADATA_PATH = "/.well-known/oauth-protected-resource";

    private final transient Authenticator authenticator;
    private final transient AuditLog audit;
    private final transient OrdinautMcpServer server;
    private final transient Clock clock;

    McpEndpoint(Authenticator authenticator, AuditLog audit, OrdinautMcpServer server, Clock clock) {
        this.authenticator = authenticator;
        this.audit = audit;
        this.server = server;
        this.clock = clock;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        Optional<Caller> caller = RequestContext.optionalCaller(request, authenticator);
        if (caller.isEmpty()) {
            refuse(request, response);
            return;
        }
        request.setAttribute(OrdinautMcpServer.RESPONSE, response);
        server.transport(request, response).service(request, response);
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response) throws IOException {
        boolean presented = request.getHeader("Authorization") != null;
        String message = presented ? "The bearer token is unknown, expired or revoked" : "Authorization: Bearer <token> is required";
        StringBuilder challenge = new StringBuilder("Bearer resource_metadata=\"").append(baseUrl(request)).append(METADATA_PATH).append('"');
        if (presented) {
            challenge.append(", error=\"invalid_token\"");
        }
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setHeader("WWW-Authenticate", challenge.toString());
        response.setContentType("application/json");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "Unauthorized");
        body.put("message", message);
        body.put("details", Map.of());
        body.put("request_id", RequestContext.requestId(request));
        body.put("timestamp", clock.instant().toString());
        response.getOutputStream().write(Jsons.bytes(body));
        try {
            audit.countRefusal(RequestContext.clientAddress(request), "mcp", null, RequestContext.requestId(request),
                    request.getMethod(), request.getRequestURI(), HttpServletResponse.SC_UNAUTHORIZED);
        } catch (RuntimeException e) {
            log("Could not count an MCP refusal: " + e.getMessage());
        }
    }

    /** This node as the client reached it (scheme, host and port as forwarded by a trusted proxy, if any). */
    static String baseUrl(HttpServletRequest request) {
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
