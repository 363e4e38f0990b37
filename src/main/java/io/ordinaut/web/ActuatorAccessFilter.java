package io.ordinaut.web;

import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;

import tools.jackson.databind.json.JsonMapper;

/**
 * Every actuator endpoint is for operators: an admin token is required, except for the liveness and
 * readiness probes, which load balancers and orchestrators call without credentials. That includes
 * {@code /actuator/prometheus}: a scraper sends the admin token (Prometheus: {@code authorization.credentials_file}). This is a servlet
 * filter because actuator endpoints are not handled by the handler mapping our MVC interceptors see.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 4)
class ActuatorAccessFilter extends OncePerRequestFilter {

    private static final UrlPathHelper MATCHED_PATH = new UrlPathHelper();

    static {
        MATCHED_PATH.setUrlDecode(true);
        MATCHED_PATH.setRemoveSemicolonContent(true);
        MATCHED_PATH.setAlwaysUseFullPath(true);
    }

    private final String basePath;
    private final Set<String> probes;
    private final Authenticator authenticator;
    private final JsonMapper json;
    private final Clock clock;

    ActuatorAccessFilter(@Value("${management.endpoints.web.base-path:/actuator}") String basePath, Authenticator authenticator,
                         JsonMapper json, Clock clock) {
        this.basePath = basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath;
        this.probes = Set.of(this.basePath + "/health/liveness", this.basePath + "/health/readiness");
        this.authenticator = authenticator;
        this.json = json;
        this.clock = clock;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        // Judged on the path as the endpoints are matched, not as sent: the raw URI of
        // /actuator;/prometheus or /%61ctuator/prometheus does not start with /actuator/, yet both reach it.
        String path = MATCHED_PATH.getLookupPathForRequest(request);
        String mapped = request.getServletPath() + Objects.toString(request.getPathInfo(), "");
        boolean actuator = isActuator(path) || isActuator(mapped) || isActuator(request.getRequestURI());
        return !actuator || (probes.contains(path) && probes.contains(mapped));
    }

    private boolean isActuator(String path) {
        return path.equals(basePath) || path.startsWith(basePath + "/") || path.startsWith(basePath + ";");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Caller caller;
        try {
            caller = AccessInterceptor.authenticate(authenticator, request);
        } catch (ApiException e) {
            ErrorResponses.write(request, response, json, clock, e);
            return;
        } catch (RuntimeException e) {
            // Checking the token reads the database: while it is down, the API's 503, not a 500 and a stack trace.
            Throwable unreachable = ApiExceptionHandler.databaseUnreachable(e);
            if (unreachable == null) {
                throw e;
            }
            ErrorResponses.write(request, response, json, clock, ApiExceptionHandler.databaseDown(request, unreachable));
            return;
        }
        request.setAttribute(AccessInterceptor.CALLER, caller);
        if (!caller.isAdmin()) {
            ErrorResponses.write(request, response, json, clock, ApiException.forbidden(
                    "Agent " + caller.agentId() + " lacks the scope admin that management endpoints require",
                    Map.of("required_scope", Scopes.ADMIN)));
            return;
        }
        chain.doFilter(request, response);
    }
}
