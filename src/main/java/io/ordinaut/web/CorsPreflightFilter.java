package io.ordinaut.web;

import java.io.IOException;
import java.time.Clock;
import java.util.Map;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.cors.CorsUtils;
import org.springframework.web.filter.OncePerRequestFilter;

import tools.jackson.databind.json.JsonMapper;

/**
 * Refuses every CORS preflight (OPTIONS with {@code Origin} and {@code Access-Control-Request-Method}) with a 403
 * in the one error JSON, on every path, before anything else looks at it. The API enables no cross-origin calls
 * (the web console is served from the same origin), so no {@code Access-Control-Allow-*} header is ever sent.
 * Left to Spring MVC, a preflight reached access control with a handler of Spring's own, whose refusal no
 * exception handler of ours maps: a 500 and a stack trace at ERROR for a request that carries no token by design.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 3)
class CorsPreflightFilter extends OncePerRequestFilter {

    private final JsonMapper json;
    private final Clock clock;

    CorsPreflightFilter(JsonMapper json, Clock clock) {
        this.json = json;
        this.clock = clock;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !CorsUtils.isPreFlightRequest(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        ErrorResponses.write(request, response, json, clock, ApiException.forbidden(
                "Cross-origin requests are not enabled: this API sends no CORS headers, so a browser page from another "
                        + "origin cannot call it. Call it from a server, or from a page served by the node itself (the web console)",
                Map.of()));
    }
}
