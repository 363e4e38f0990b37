package io.ordinaut.web;

import jakarta.servlet.http.HttpServletRequest;

/** Read access to what the web layer attached to a request (for the audit log). */
public final class RequestContext {

    private RequestContext() {
    }

    public static Caller caller(HttpServletRequest request) {
        return (Caller) request.getAttribute(AccessInterceptor.CALLER);
    }

    public static String requestId(HttpServletRequest request) {
        Object id = request.getAttribute(RequestIdFilter.ATTRIBUTE);
        return id == null ? null : id.toString();
    }
}
