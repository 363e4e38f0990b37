package io.ordinaut.web;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import tools.jackson.databind.json.JsonMapper;

/**
 * Writes the one error JSON outside Spring MVC's exception handling: from servlet filters, which answer before
 * it, and from the container's error path ({@link ErrorEndpoint}).
 */
final class ErrorResponses {

    private ErrorResponses() {
    }

    static void write(HttpServletRequest request, HttpServletResponse response, JsonMapper json, Clock clock,
                      ApiException error) throws IOException {
        response.setStatus(error.status().value());
        error.headers().forEach(response::setHeader);
        // UTF-8 said out loud: with a bare application/json the servlet writer falls back to ISO-8859-1 and says so.
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        String requestId = requestId(request);
        response.setHeader(RequestIdFilter.HEADER, requestId);
        ApiError body = new ApiError(error.error(), error.getMessage(), error.details(), requestId, Instant.now(clock));
        response.getWriter().write(json.writeValueAsString(body));
    }

    /**
     * The request's id. Tomcat answers some requests itself before any filter runs — TRACE, which it refuses with
     * a 405 — and forwards them straight to the error path: their id is made here, as {@link RequestIdFilter}
     * would have made it.
     */
    static String requestId(HttpServletRequest request) {
        String id = RequestContext.requestId(request);
        if (id == null) {
            id = RequestIdFilter.idFor(request.getHeader(RequestIdFilter.HEADER));
            request.setAttribute(RequestIdFilter.ATTRIBUTE, id);
        }
        return id;
    }
}
