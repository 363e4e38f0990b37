package io.ordinaut.mcp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import io.ordinaut.config.NodeProperties;
import io.ordinaut.web.PublicEndpoint;
import io.ordinaut.web.Scopes;

/**
 * The protected resource metadata (RFC 9728) the 401 of /mcp points to: an MCP client learns there that
 * /mcp takes bearer tokens in the Authorization header. Ordinaut issues its tokens itself
 * ({@code POST /agents/auth/token}), so no authorization server is named.
 */
@RestController
@PublicEndpoint
@Hidden // protocol metadata for MCP clients, not part of the REST API
class ProtectedResourceController {

    private final NodeProperties node;

    ProtectedResourceController(NodeProperties node) {
        this.node = node;
    }

    @GetMapping({McpEndpoint.METADATA_PATH, McpEndpoint.METADATA_PATH + OrdinautMcpServer.ENDPOINT})
    Map<String, Object> metadata(HttpServletRequest request) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("resource", McpEndpoint.baseUrl(request, node.publicUrl()) + OrdinautMcpServer.ENDPOINT);
        body.put("resource_name", "Ordinaut MCP server");
        body.put("bearer_methods_supported", List.of("header"));
        body.put("scopes_supported", Scopes.ALL);
        return body;
    }
}
