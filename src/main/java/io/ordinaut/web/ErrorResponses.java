package io.ordinaut.web;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import tools.jackson.databind.json.JsonMapper;

/** Writes the one error JSON from servlet filters, which answer before Spring MVC's exception handling. */
final class ErrorResponses {

    private ErrorResponses() {
    }

    static void write(HttpServletRequest request, HttpServletResponse response, JsonMapper json, Clock clock,
                      ApiException error) throws IOException {
        response.setStatus(error.status().value());
        error.headers().forEach(response::setHeader);
        response.setContentType("application/json");
        ApiError body = new ApiError(error.error(), error.getMessage(), error.details(), RequestContext.requestId(request),
                Instant.now(clock));
        response.getWriter().write(json.writeValueAsString(body));
    }
}
