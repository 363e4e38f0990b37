package io.ordinaut.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.util.Map;

import io.modelcontextprotocol.spec.McpError;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * The safety net under the SDK transport's error paths that no request from a real client reaches through
 * {@link McpRequestCheck} (a 500 from a failing handler, sendError on shutdown or an oversized body): each
 * comes out as a JSON-RPC error, never the serialized exception or the container's error page.
 */
class JsonRpcErrorResponseTest {

    private static Map<String, Object> body(MockHttpServletResponse response) throws Exception {
        assertThat(response.getContentAsString()).doesNotContain("stackTrace", "className", "jsonRpcError");
        assertThat(response.getContentType()).startsWith("application/json");
        return Jsons.object(response.getContentAsByteArray());
    }

    @Test
    void an_mcp_error_the_sdk_serializes_keeps_its_code_and_message_and_loses_the_stack_trace() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        JsonRpcErrorResponse guarded = new JsonRpcErrorResponse(response, 12);
        // what HttpServletStatelessServerTransport.responseError does
        McpError error = McpError.builder(-32603).message("Failed to handle request: boom").build();
        guarded.setContentType("application/json");
        guarded.setCharacterEncoding("UTF-8");
        guarded.setStatus(500);
        String serialized = Jsons.MAPPER.writeValueAsString(error);
        assertThat(serialized).contains("stackTrace");
        PrintWriter writer = guarded.getWriter();
        writer.write(serialized);
        writer.flush();
        assertThat(response.getContentAsString()).isEmpty();

        assertThat(guarded.finish()).isNotNull();
        assertThat(response.getStatus()).isEqualTo(500);
        assertThat(body(response)).isEqualTo(Map.of("jsonrpc", "2.0", "id", 12,
                "error", Map.of("code", -32603, "message", "Failed to handle request: boom")));
    }

    @Test
    void send_error_becomes_a_json_rpc_error_instead_of_the_container_error_page() throws Exception {
        MockHttpServletResponse shutdown = new MockHttpServletResponse();
        JsonRpcErrorResponse guarded = new JsonRpcErrorResponse(shutdown, "x");
        guarded.sendError(503, "Server is shutting down");
        guarded.finish();
        assertThat(shutdown.getStatus()).isEqualTo(503);
        assertThat(shutdown.getErrorMessage()).isNull();
        assertThat(body(shutdown)).isEqualTo(Map.of("jsonrpc", "2.0", "id", "x",
                "error", Map.of("code", -32603, "message", "Server is shutting down")));

        MockHttpServletResponse tooLarge = new MockHttpServletResponse();
        JsonRpcErrorResponse noMessage = new JsonRpcErrorResponse(tooLarge, null);
        noMessage.sendError(413);
        noMessage.finish();
        assertThat(tooLarge.getStatus()).isEqualTo(413);
        Map<String, Object> body = body(tooLarge);
        assertThat(body).containsEntry("id", null);
        assertThat(body.get("error")).isEqualTo(Map.of("code", -32600, "message", "Request body too large"));
    }

    @Test
    void answers_under_400_pass_straight_through() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        JsonRpcErrorResponse guarded = new JsonRpcErrorResponse(response, 1);
        guarded.setStatus(200);
        guarded.getWriter().write("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");
        guarded.getWriter().flush();
        assertThat(guarded.finish()).isNull();
        assertThat(response.getContentAsString()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");

        MockHttpServletResponse accepted = new MockHttpServletResponse();
        JsonRpcErrorResponse notification = new JsonRpcErrorResponse(accepted, null);
        notification.setStatus(202);
        assertThat(notification.finish()).isNull();
        assertThat(accepted.getStatus()).isEqualTo(202);
        assertThat(accepted.getContentAsString()).isEmpty();
    }
}
