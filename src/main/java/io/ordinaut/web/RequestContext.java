package io.ordinaut.web;

import java.util.Optional;

import jakarta.servlet.http.HttpServletRequest;

/** Read access to what the web layer attached to a request (for the audit log), and one mark a handler may add. */
public final class RequestContext {

    private static final String NO_VALID_CREDENTIAL = "ordinaut.noValidCredential";

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
}
