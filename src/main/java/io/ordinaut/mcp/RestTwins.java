package io.ordinaut.mcp;

import java.io.IOException;
import java.util.Map;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.servlet.DispatcherServlet;

import io.ordinaut.web.AuditSubject;

/**
 * Answers an MCP tool call by handing its REST twin to the node's own MVC dispatcher, in process. The
 * call therefore passes exactly what a REST call passes: authentication from the caller's bearer token,
 * the route's scope, the rate limits, the controller (validation, ownership: a foreign id is 404), the
 * service, the error mapping and the audit log — there is no second copy of any of them to drift.
 */
final class RestTwins {

    private final DispatcherServlet dispatcher;

    RestTwins(DispatcherServlet dispatcher) {
        this.dispatcher = dispatcher;
    }

    /** The twin's answer: HTTP status, the Retry-After header if any, and the parsed JSON body. */
    record Answer(int status, String retryAfter, Object body) {
        boolean ok() {
            return status < 400;
        }
    }

    /**
     * @param action the audit log's action for this call (the MCP tool); null for calls that are not
     *               the caller's own (reading the OpenAPI document)
     */
    Answer call(HttpServletRequest mcpRequest, HttpServletResponse mcpResponse, OrdinautTool.Twin twin, String action) {
        byte[] body = twin.body() == null ? null : Jsons.bytes(twin.body());
        TwinRequest request = new TwinRequest(mcpRequest, twin.method(), twin.path(), twin.query(), body);
        if (action != null) {
            request.setAttribute(AuditSubject.ACTION, action);
        }
        TwinResponse response = new TwinResponse(mcpResponse);
        try {
            dispatcher.service(request, response);
        } catch (ServletException | IOException e) {
            throw new IllegalStateException("The REST twin " + twin.method() + " " + twin.path() + " failed", e);
        }
        return new Answer(response.status(), response.getHeader("Retry-After"), Jsons.parse(response.body()));
    }

    /** The node's OpenAPI document, as /v3/api-docs serves it. */
    Map<String, Object> openApiDocument(HttpServletRequest mcpRequest, HttpServletResponse mcpResponse) {
        Answer answer = call(mcpRequest, mcpResponse, new OrdinautTool.Twin("GET", "/v3/api-docs", Map.of(), null), null);
        if (!answer.ok() || !(answer.body() instanceof Map<?, ?>)) {
            throw new IllegalStateException("/v3/api-docs answered " + answer.status() + "; the MCP tools take their schemas from it");
        }
        return OpenApiSchemas.map(answer.body());
    }
}
