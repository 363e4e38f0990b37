package io.ordinaut.web;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.util.pattern.PathPattern;

/** Read access to what the web layer attached to a request (for the audit log), and one mark a handler may add. */
public final class RequestContext {

    private static final String NO_VALID_CREDENTIAL = "ordinaut.noValidCredential";
    private static final String DATABASE_UNREACHABLE = "ordinaut.databaseUnreachable";
    private static final String ROUTED = "ordinaut.routed";
    private static final String OVER_BUDGET = "ordinaut.overBudget";
    private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");
    /** The public routes that take a credential in their body: anyone may call them, no one is known when they fail. */
    static final List<PathPattern> AUTH_PATHS = RoutePaths.parse(List.of("/agents/auth/token", "/agents/auth/refresh",
            "/agents/auth/revoke"));

    private RequestContext() {
    }

    public static Caller caller(HttpServletRequest request) {
        return (Caller) request.getAttribute(AccessInterceptor.CALLER);
    }

    /**
     * The caller of a public route that also serves more to those who identify themselves (/health for
     * admins); empty when the request carries no valid bearer token. Never refuses.
     */
    public static Optional<Caller> optionalCaller(HttpServletRequest request, Authenticator authenticator) {
        if (request.getHeader("Authorization") == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(AccessInterceptor.authenticate(authenticator, request));
        } catch (ApiException e) {
            return Optional.empty();
        }
    }

    /** The client's address: the socket peer, or what a trusted proxy forwarded (see ordinaut.security.trusted-proxies). */
    public static String clientAddress(HttpServletRequest request) {
        Object address = request.getAttribute(ClientAddresses.ATTRIBUTE);
        return address == null ? request.getRemoteAddr() : address.toString();
    }

    public static String requestId(HttpServletRequest request) {
        Object id = request.getAttribute(RequestIdFilter.ATTRIBUTE);
        return id == null ? null : id.toString();
    }

    /**
     * Marks a call to a public route that proved no credential though its answer is a success: a revocation of
     * a token that was not live, which RFC 7009 answers 200 like a real one so that the answer confirms nothing.
     * Such a call costs its client address a unit of the unauthenticated budget, as a 401 does (else guessing
     * through it would be free), and writes no audit row of its own (else anyone could grow the audit log).
     */
    public static void markNoValidCredential(HttpServletRequest request) {
        request.setAttribute(NO_VALID_CREDENTIAL, Boolean.TRUE);
    }

    /** Whether {@link #markNoValidCredential} marked the request. */
    public static boolean hadNoValidCredential(HttpServletRequest request) {
        return Boolean.TRUE.equals(request.getAttribute(NO_VALID_CREDENTIAL));
    }

    /**
     * Whether the call was refused before anyone was proven: a 401 anywhere; a client error (a bad body, a wrong
     * field) on one of the public auth routes from a caller who proved nothing; or a mutating call answered 404 (no
     * such route) or 405 to a caller who proved nothing. Such calls are one rule: they cost the client address a unit
     * of the unauthenticated budget and are folded into at most one audit row per address and minute, so no refused
     * anonymous call can grow the audit log at will. A 429 is not one: a lock-out is written as it is, and the token
     * routes already pay for every call before it runs.
     */
    public static boolean refusedAnonymously(HttpServletRequest request, int status) {
        if (status == 401) {
            return true;
        }
        if (caller(request) != null) {
            return false;
        }
        return RoutePaths.matchesAny(request, AUTH_PATHS) && status >= 400 && status < 500 && status != 429
                || (status == 404 || status == 405) && mutating(request);
    }

    /**
     * Whether a known agent was refused for being over its call budget: answered 429 by the limiter, or a call no route
     * answered made while over it ({@link #markOverBudget}). Such refusals come at whatever rate the agent sends, so
     * they are folded into one audit row per agent and minute; every other row of an agent is paid for by its budget.
     */
    public static boolean refusedOverBudget(HttpServletRequest request, int status) {
        return caller(request) != null && (status == 429 || Boolean.TRUE.equals(request.getAttribute(OVER_BUDGET)));
    }

    static void markOverBudget(HttpServletRequest request) {
        request.setAttribute(OVER_BUDGET, Boolean.TRUE);
    }

    /** POST, PUT, PATCH or DELETE: the methods whose every call is audited. */
    public static boolean mutating(HttpServletRequest request) {
        return MUTATING.contains(request.getMethod());
    }

    /**
     * Marks a call a route of ours answered: the audit interceptor judged it, so {@link UnroutedCallFilter} leaves
     * it alone.
     */
    public static void markRouted(HttpServletRequest request) {
        request.setAttribute(ROUTED, Boolean.TRUE);
    }

    static boolean routed(HttpServletRequest request) {
        return Boolean.TRUE.equals(request.getAttribute(ROUTED));
    }

    /** Marks a request answered 503 because the database could not be reached (the one WARN line says so). */
    static void markDatabaseUnreachable(HttpServletRequest request) {
        request.setAttribute(DATABASE_UNREACHABLE, Boolean.TRUE);
    }

    /**
     * Whether the request failed for want of the database: its audit row could not be written either, and trying
     * would hold the 503 for a second connection timeout.
     */
    public static boolean failedForDatabase(HttpServletRequest request) {
        return Boolean.TRUE.equals(request.getAttribute(DATABASE_UNREACHABLE));
    }
}
