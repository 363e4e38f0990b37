package io.ordinaut.web;

import java.util.Optional;

import jakarta.servlet.http.HttpServletRequest;

/** Read access to what the web layer attached to a request (for the audit log). */
public final class RequestContext {

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
}
