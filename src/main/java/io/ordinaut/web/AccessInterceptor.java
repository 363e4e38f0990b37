package io.ordinaut.web;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.util.pattern.PathPattern;

/**
 * Authenticates every request and checks the scope its route declares. Fails closed: a route of ours
 * that declares neither {@link RequiresScope} nor {@link PublicEndpoint} is refused.
 */
class AccessInterceptor implements HandlerInterceptor {

    static final String CALLER = "ordinaut.caller";
    private static final String BEARER = "Bearer ";
    private static final List<PathPattern> OPEN_PATHS = RoutePaths.parse(List.of("/v3/api-docs*/**", "/swagger-ui*/**", "/error",
            "/console/**"));

    private final Authenticator authenticator;
    private final RateLimiter rateLimiter;

    AccessInterceptor(Authenticator authenticator, RateLimiter rateLimiter) {
        this.authenticator = authenticator;
        this.rateLimiter = rateLimiter;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        // The dispatch that finishes an async request (an event stream when it ends) is the same request, checked
        // and admitted when it came in: its token may have expired or been revoked since — which is why the stream
        // ended — and a 401 now could not even be written to text/event-stream, only logged as a servlet error.
        if (request.getDispatcherType() == DispatcherType.ASYNC) {
            return true;
        }
        if (answeredBySpring(request, handler)) {
            return true;
        }
        String required = requiredScope(request, handler);
        if (required == null) {
            return true;
        }
        Caller caller = authenticate(authenticator, request);
        // Known from here on, so the audit row of a refusal below (403, 429) names who was refused.
        request.setAttribute(CALLER, caller);
        // Before the scope check: a refused call costs a unit too, or refusals — one audit row each — would be free.
        rateLimiter.admit(caller);
        if (!caller.has(required)) {
            throw ApiException.forbidden("Agent " + caller.agentId() + " lacks the scope " + required + " this route requires",
                    Map.of("required_scope", required));
        }
        return true;
    }

    /**
     * OPTIONS that no route of ours takes: Spring MVC answers it from the route table (the {@code Allow} list) and
     * runs no code of ours, so it needs no token — the methods of a path are as public as the OpenAPI description.
     * Its handler is Spring's own, not a route's, so the scope check would treat it as an operator's route.
     */
    private static boolean answeredBySpring(HttpServletRequest request, Object handler) {
        return "OPTIONS".equals(request.getMethod())
                && !(handler instanceof HandlerMethod method && method.getBeanType().getPackageName().startsWith("io.ordinaut"));
    }

    /** The scope the route needs; null for a public route. */
    static String requiredScope(HttpServletRequest request, Object handler) {
        // The OpenAPI description, the error page, and the web console's static shell: the same for everyone; the
        // console's data comes from the API with a token. Matched as the routes are, so /console;x=1 is /console.
        if (RoutePaths.matchesAny(request, OPEN_PATHS)) {
            return null;
        }
        if (handler instanceof HandlerMethod method && method.getBeanType().getPackageName().startsWith("io.ordinaut")) {
            if (AnnotatedElementUtils.hasAnnotation(method.getMethod(), PublicEndpoint.class)
                    || AnnotatedElementUtils.hasAnnotation(method.getBeanType(), PublicEndpoint.class)) {
                return null;
            }
            RequiresScope scope = AnnotatedElementUtils.findMergedAnnotation(method.getMethod(), RequiresScope.class);
            if (scope == null) {
                scope = AnnotatedElementUtils.findMergedAnnotation(method.getBeanType(), RequiresScope.class);
            }
            // A route that forgot its scope is open to admins only, never to everyone.
            return scope == null ? Scopes.ADMIN : scope.value();
        }
        // Anything else is for operators (actuator endpoints are guarded before MVC by ActuatorAccessFilter).
        return Scopes.ADMIN;
    }

    /** The caller a request's bearer token names; 401 when there is none, or it is unknown, expired or revoked. */
    static Caller authenticate(Authenticator authenticator, HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || header.isBlank()) {
            throw ApiException.unauthorized("Authorization: Bearer <token> is required");
        }
        if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length()) || header.length() <= BEARER.length()) {
            throw ApiException.unauthorized("The Authorization header must be \"Bearer <token>\"");
        }
        Optional<Caller> caller = authenticator.authenticate(header.substring(BEARER.length()).trim());
        return caller.orElseThrow(() -> ApiException.unauthorized("The bearer token is unknown, expired or revoked"));
    }
}
