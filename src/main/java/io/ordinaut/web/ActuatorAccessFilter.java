package io.ordinaut.web;

import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;

import tools.jackson.databind.json.JsonMapper;

/**
 * Every actuator endpoint is for operators: an admin token is required, except for the liveness and
 * readiness probes, which load balancers and orchestrators call without credentials. That includes
 * {@code /actuator/prometheus}: a scraper sends the admin token (Prometheus: {@code authorization.credentials_file}). This is a servlet
 * filter because actuator endpoints are not handled by the handler mapping our MVC interceptors see.
 *
 * <p>It also gives the errors actuator answers without a body — a metric, logger or cache it does not know, tags
 * that match no measurement: a 404 with nothing in it — the one error JSON every other error has.
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
        BodyWatch watched = new BodyWatch(response);
        chain.doFilter(request, watched);
        if (!watched.bodyStarted && !response.isCommitted() && response.getStatus() >= 400) {
            HttpStatus status = HttpStatus.resolve(response.getStatus());
            if (status != null) {
                response.resetBuffer();
                ErrorResponses.write(request, response, json, clock, emptyError(status, request));
            }
        }
    }

    private static ApiException emptyError(HttpStatus status, HttpServletRequest request) {
        String message = status == HttpStatus.NOT_FOUND
                ? "Nothing at " + request.getMethod() + " " + request.getRequestURI()
                        + ": no such name, or no measurement with the tags asked for"
                : status.getReasonPhrase() + " (" + request.getRequestURI() + ")";
        return new ApiException(status, ErrorEndpoint.errorName(status), message, Map.of());
    }

    /**
     * Notes whether the endpoint wrote (or started to write) a body of its own. An error sent with
     * {@code sendError} counts as answered: the container's error path ({@link ErrorEndpoint}) writes its JSON.
     */
    private static final class BodyWatch extends HttpServletResponseWrapper {

        private boolean bodyStarted;

        BodyWatch(HttpServletResponse response) {
            super(response);
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            bodyStarted = true;
            return super.getOutputStream();
        }

        @Override
        public java.io.PrintWriter getWriter() throws IOException {
            bodyStarted = true;
            return super.getWriter();
        }

        @Override
        public void sendError(int sc, String msg) throws IOException {
            bodyStarted = true;
            super.sendError(sc, msg);
        }

        @Override
        public void sendError(int sc) throws IOException {
            bodyStarted = true;
            super.sendError(sc);
        }
    }
}
