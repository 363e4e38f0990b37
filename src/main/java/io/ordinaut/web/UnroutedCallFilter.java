package io.ordinaut.web;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.cors.CorsUtils;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Hands the calls no route of ours answered to {@link UnroutedCalls} (the audit log), after the chain: Spring MVC
 * refuses an unknown path (404) or a wrong method (405) before any interceptor runs, and the actuator filter and the
 * {@code /mcp} servlet answer outside Spring MVC, so the audit interceptor never sees them. A mutating call refused
 * 404 or 405 never reached access control; its bearer token is checked here, so that its row names the agent — or,
 * when it proves no one, it is folded and costs its address a unit like a 401 ({@link RequestContext#refusedAnonymously}).
 * Inside {@link AnonymousRateFilter}, which reads that verdict after the chain; CORS preflights are left alone (a
 * browser sends them, without a token, before any call).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 3)
class UnroutedCallFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(UnroutedCallFilter.class);

    private final UnroutedCalls calls;
    private final Authenticator authenticator;
    private final RateLimiter rateLimiter;

    UnroutedCallFilter(UnroutedCalls calls, Authenticator authenticator, RateLimiter rateLimiter) {
        this.calls = calls;
        this.authenticator = authenticator;
        this.rateLimiter = rateLimiter;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return CorsUtils.isPreFlightRequest(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(request, response);
        // An event stream is judged when it ends, by the interceptor, in the async dispatch.
        if (request.isAsyncStarted() || RequestContext.routed(request)) {
            return;
        }
        int status = response.getStatus();
        if ((status == 404 || status == 405) && RequestContext.mutating(request) && RequestContext.caller(request) == null) {
            try {
                RequestContext.optionalCaller(request, authenticator).ifPresent(caller -> request.setAttribute(AccessInterceptor.CALLER, caller));
            } catch (RuntimeException e) {
                // the database unreachable: the answer is out, and its row could not be written either
                log.debug("Could not check the token of {} {} for its audit row: {}", request.getMethod(), request.getRequestURI(),
                        e.getMessage());
                return;
            }
        }
        Caller caller = RequestContext.caller(request);
        if (caller != null && (status == 403 || (status == 404 || status == 405) && RequestContext.mutating(request))) {
            // Its audit row is paid for from the agent's budget like a routed call's; once that is spent, the answer
            // is already out, and the row is folded into the agent's minute instead.
            try {
                rateLimiter.admit(caller);
            } catch (ApiException overBudget) {
                RequestContext.markOverBudget(request);
            } catch (RuntimeException e) {
                log.debug("Could not count {} {} against its agent's budget: {}", request.getMethod(), request.getRequestURI(),
                        e.getMessage());
                return;
            }
        }
        calls.completed(request, response);
    }
}
