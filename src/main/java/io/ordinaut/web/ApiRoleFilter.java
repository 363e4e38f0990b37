package io.ordinaut.web;

import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;

import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.config.NodeProperties;

/**
 * A node without the {@code api} role (ordinaut.node.roles) serves no API: REST, {@code /mcp}, the console and the
 * API description answer 503 {@code ServiceUnavailable} in the one error shape, saying so — a load balancer that
 * lists the node by mistake retries idempotent requests on another node, and takes the node out. What keeps the
 * node observable stays open: {@code /health}, {@code /health/live}, {@code /health/ready} and the actuator
 * endpoints (guarded by {@link ActuatorAccessFilter} as on every node).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 4)
class ApiRoleFilter extends OncePerRequestFilter {

    private static final Set<String> HEALTH = Set.of("/health", "/health/live", "/health/ready");
    private static final UrlPathHelper MATCHED_PATH = new UrlPathHelper();

    static {
        MATCHED_PATH.setUrlDecode(true);
        MATCHED_PATH.setRemoveSemicolonContent(true);
        MATCHED_PATH.setAlwaysUseFullPath(true);
    }

    private final NodeProperties node;
    private final String actuatorPath;
    private final JsonMapper json;
    private final Clock clock;

    ApiRoleFilter(NodeProperties node, @Value("${management.endpoints.web.base-path:/actuator}") String actuatorPath,
                  JsonMapper json, Clock clock) {
        this.node = node;
        this.actuatorPath = actuatorPath.endsWith("/") ? actuatorPath.substring(0, actuatorPath.length() - 1) : actuatorPath;
        this.json = json;
        this.clock = clock;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        if (node.has(NodeProperties.Role.API)) {
            return true;
        }
        String path = MATCHED_PATH.getLookupPathForRequest(request);
        return HEALTH.contains(path) || path.equals(actuatorPath) || path.startsWith(actuatorPath + "/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        ErrorResponses.write(request, response, json, clock, new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "ServiceUnavailable",
                "This node does not serve the API: its roles (ordinaut.node.roles) are " + String.join(",", node.roles())
                        + ", without api. Send API requests to a node with the api role.",
                Map.of("roles", node.roles(), "required_role", "api")));
    }
}
