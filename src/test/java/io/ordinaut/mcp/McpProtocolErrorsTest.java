package io.ordinaut.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;

import io.ordinaut.support.Api;
import io.ordinaut.support.Nodes;

/**
 * What {@code /mcp} answers to requests that are not MCP, over real HTTP against a real node: protocol
 * mistakes get JSON-RPC 2.0 error responses (never the SDK's serialized exception with its stack trace)
 * and no ERROR log line; a method other than POST gets 405 in the REST error shape.
 */
class McpProtocolErrorsTest {

    private static final String ACCEPT = "application/json, text/event-stream";

    private static Nodes nodes;
    private static ConfigurableApplicationContext node;
    private static HttpClient http;

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeAll
    static void start() {
        nodes = Nodes.onFreshDatabase();
        node = nodes.start("mcp-errors");
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        nodes.close();
    }

    /** Attached after the node started: Spring Boot resets Logback while a node starts. */
    @BeforeEach
    void captureLogs() {
        logged.start();
        root.addAppender(logged);
    }

    @AfterEach
    void releaseLogs() {
        root.detachAppender(logged);
    }

    private static HttpResponse<String> post(String body, String contentType, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Nodes.port(node) + "/mcp"))
                .header("Authorization", "Bearer " + Api.ADMIN_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return post(body, "application/json", ACCEPT);
    }

    /** The JSON-RPC error of a refused request, after checking it is one and carries nothing but that. */
    private static Map<String, Object> jsonRpcError(HttpResponse<String> response, int status, Object id) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(response.body()).doesNotContain("stackTrace", "className", "jsonRpcError", "io.modelcontextprotocol");
        Map<String, Object> body = Jsons.object(response.body().getBytes(StandardCharsets.UTF_8));
        assertThat(body.keySet()).containsExactlyInAnyOrder("jsonrpc", "id", "error");
        assertThat(body).containsEntry("jsonrpc", "2.0").containsEntry("id", id);
        Map<String, Object> error = OpenApiSchemas.map(body.get("error"));
        assertThat(error.keySet()).containsExactlyInAnyOrder("code", "message");
        return error;
    }

    private void assertNoErrorLogged() {
        assertThat(logged.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
                .filteredOn(e -> e.getLoggerName().startsWith("io.modelcontextprotocol") || e.getLoggerName().startsWith("io.ordinaut.mcp"))
                .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
    }

    @Test
    void a_body_that_is_not_json_is_a_parse_error() throws Exception {
        Map<String, Object> error = jsonRpcError(post("{\"jsonrpc\":\"2.0\",\"id\":1,"), 400, null);
        assertThat(error).containsEntry("code", -32700);
        assertThat((String) error.get("message")).startsWith("Parse error").contains("not valid JSON");

        assertThat(jsonRpcError(post(""), 400, null)).containsEntry("code", -32700);
        assertNoErrorLogged();
    }

    @Test
    void json_that_is_not_a_json_rpc_request_is_an_invalid_request_echoing_its_id() throws Exception {
        Map<String, Object> error = jsonRpcError(post("{\"foo\":1}"), 400, null);
        assertThat(error).containsEntry("code", -32600);
        assertThat((String) error.get("message")).startsWith("Invalid Request");

        assertThat(jsonRpcError(post("{\"jsonrpc\":\"2.0\",\"id\":7,\"foo\":1}"), 400, 7).get("message")).asString().contains("method");
        assertThat(jsonRpcError(post("{\"jsonrpc\":\"2.0\",\"id\":\"a-1\",\"method\":42}"), 400, "a-1")).containsEntry("code", -32600);
        assertThat(jsonRpcError(post("{\"jsonrpc\":\"1.0\",\"id\":2,\"method\":\"ping\"}"), 400, 2).get("message")).asString().contains("2.0");
        assertThat(jsonRpcError(post("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\",\"params\":[1]}"), 400, 3)
                .get("message")).asString().contains("params");
        assertThat(jsonRpcError(post("{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"ping\"}"), 400, null)
                .get("message")).asString().contains("id");
        // a response is valid JSON-RPC, but not something a client sends this server
        assertThat(jsonRpcError(post("{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{}}"), 400, 4).get("message")).asString().contains("response");
        assertThat(jsonRpcError(post("[{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}]"), 400, null).get("message")).asString().contains("batch");
        assertThat(jsonRpcError(post("\"ping\""), 400, null)).containsEntry("code", -32600);
        assertNoErrorLogged();
    }

    @Test
    void the_accept_and_content_type_requirements_are_stated_in_a_json_rpc_error() throws Exception {
        String ping = "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}";
        for (String accept : new String[] {null, "application/json", "text/event-stream"}) {
            Map<String, Object> error = jsonRpcError(post(ping, "application/json", accept), 400, 9);
            assertThat(error).containsEntry("code", -32600);
            assertThat((String) error.get("message")).contains("Accept", "application/json", "text/event-stream");
        }
        Map<String, Object> mediaType = jsonRpcError(post(ping, "text/plain", ACCEPT), 415, 9);
        assertThat(mediaType).containsEntry("code", -32600);
        assertThat((String) mediaType.get("message")).contains("Content-Type", "application/json");
        assertNoErrorLogged();
    }

    @Test
    void an_unknown_charset_is_a_415_naming_it_as_on_the_rest_routes() throws Exception {
        String ping = "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"ping\"}";

        Map<String, Object> error = jsonRpcError(post(ping, "application/json; charset=bogus", ACCEPT), 415, 10);

        assertThat(error).containsEntry("code", -32600);
        assertThat((String) error.get("message")).contains("charset \"bogus\"", "not supported", "UTF-8");
        assertNoErrorLogged();
    }

    @Test
    void a_body_over_the_node_limit_is_413_in_the_rest_shape_declared_or_chunked() throws Exception {
        byte[] big = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        URI mcp = URI.create("http://127.0.0.1:" + Nodes.port(node) + "/mcp");
        HttpRequest.BodyPublisher declared = HttpRequest.BodyPublishers.ofByteArray(big);
        // no Content-Length: the limit is found while the body is read
        HttpRequest.BodyPublisher chunked = HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big));
        for (HttpRequest.BodyPublisher body : List.of(declared, chunked)) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(mcp).header("Authorization", "Bearer " + Api.ADMIN_TOKEN)
                    .header("Content-Type", "application/json").header("Accept", ACCEPT).POST(body).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
            Map<String, Object> refusal = Jsons.object(response.body().getBytes(StandardCharsets.UTF_8));
            // the same answer whether the limit was declared or found while reading
            assertThat(refusal).containsEntry("error", "PayloadTooLarge")
                    .containsEntry("message", "Request body exceeds the limit of 1048576 bytes")
                    .containsEntry("details", Map.of("max_bytes", 1048576));
        }
        assertNoErrorLogged();
    }

    @Test
    void other_methods_than_post_get_405_with_allow_post_in_the_rest_error_shape_after_authentication() throws Exception {
        URI mcp = URI.create("http://127.0.0.1:" + Nodes.port(node) + "/mcp");
        for (String method : List.of("GET", "PUT", "DELETE", "PATCH")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(mcp).header("Authorization", "Bearer " + Api.ADMIN_TOKEN)
                    .header("Accept", ACCEPT).method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(method).isEqualTo(405);
            assertThat(response.headers().firstValue("Allow")).as(method).hasValue("POST");
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            Map<String, Object> body = Jsons.object(response.body().getBytes(StandardCharsets.UTF_8));
            assertThat(body.keySet()).containsExactly("error", "message", "details", "request_id", "timestamp");
            assertThat(body).containsEntry("error", "MethodNotAllowed")
                    .containsEntry("details", Map.of("method", method, "allowed", List.of("POST")));
            assertThat((String) body.get("message")).contains(method, "/mcp", "POST");
            assertThat(body.get("request_id")).isNotNull();
        }
        // authentication comes first: without a token a GET is refused as any other request is
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(mcp).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).contains("resource_metadata"));
        assertThat(Jsons.object(anonymous.body().getBytes(StandardCharsets.UTF_8))).containsEntry("error", "Unauthorized");
    }

    @Test
    void bad_params_of_the_methods_the_server_handles_are_invalid_params_naming_what_is_wrong() throws Exception {
        Map<String, String> problems = new java.util.LinkedHashMap<>();
        problems.put("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\"}", "needs params");
        problems.put("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":{\"arguments\":{}}}", "\"params.name\" is required");
        problems.put("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":{\"name\":7}}", "\"params.name\" must be");
        problems.put("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":{\"name\":\"list_tasks\",\"arguments\":[1]}}",
                "\"params.arguments\" must be an object");
        problems.put("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":{\"name\":\"list_tasks\",\"arguments\":\"x\"}}",
                "\"params.arguments\" must be an object");
        problems.put("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":{\"name\":\"list_tasks\",\"_meta\":1}}",
                "\"params._meta\" must be an object");
        problems.put("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"resources/read\"}", "\"uri\"");
        problems.put("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"resources/read\",\"params\":{\"uri\":[]}}", "\"params.uri\" must be");
        problems.put("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"initialize\"}", "needs params");
        problems.put("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                + "\"capabilities\":[],\"clientInfo\":{\"name\":\"c\",\"version\":\"1\"}}}", "\"params.capabilities\" must be an object");
        problems.put("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/list\",\"params\":{\"cursor\":{}}}", "\"params.cursor\" must be");
        for (Map.Entry<String, String> problem : problems.entrySet()) {
            Map<String, Object> error = jsonRpcError(post(problem.getKey()), 400, 8);
            assertThat(error).as(problem.getKey()).containsEntry("code", -32602);
            assertThat((String) error.get("message")).as(problem.getKey()).startsWith("Invalid params: ").contains(problem.getValue())
                    .doesNotContain("Exception", "null", "io.modelcontextprotocol");
        }
        assertThat(logged.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .filteredOn(e -> e.getLoggerName().startsWith("io.modelcontextprotocol") || e.getLoggerName().startsWith("io.ordinaut.mcp"))
                .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
    }

    @Test
    void an_unknown_tool_is_named_in_the_error_message() throws Exception {
        HttpResponse<String> response = post("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":\"nosuch\"}}");

        Map<String, Object> error = jsonRpcError(response, 200, 6);
        assertThat(error).containsEntry("code", -32602);
        assertThat((String) error.get("message")).contains("Unknown tool", "nosuch", "tools/list").doesNotContain("invalid_tool_name");
        assertNoErrorLogged();
    }

    @Test
    void an_id_with_a_fraction_is_refused_saying_ids_are_strings_or_integers() throws Exception {
        for (String id : List.of("1.5", "1e400", "9223372036854775808")) {
            Map<String, Object> error = jsonRpcError(post("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}"), 400, null);
            assertThat(error).as(id).containsEntry("code", -32600);
            assertThat((String) error.get("message")).as(id).contains("\"id\"", "string", "integer").doesNotContain("Invalid message format");
        }
        // whole numbers are ids, as strings are
        HttpResponse<String> whole = post("{\"jsonrpc\":\"2.0\",\"id\":9007199254740993,\"method\":\"ping\"}");
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        assertThat(whole.body()).contains("\"id\":9007199254740993");
        assertNoErrorLogged();
    }

    @Test
    void json_nested_too_deep_is_a_parse_error_saying_so_with_the_limit() throws Exception {
        String deep = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}}";

        Map<String, Object> error = jsonRpcError(post(deep), 400, null);

        assertThat(error).containsEntry("code", -32700);
        assertThat((String) error.get("message")).contains("nested", "deeper than", "500")
                .doesNotContain("not valid JSON", "StreamReadConstraints");
        assertNoErrorLogged();
    }

    @Test
    void list_tools_leaves_out_a_missing_description_instead_of_writing_null() throws Exception {
        Nodes.api(node).post("/tools", Map.of("address", "nodesc.echo", "transport", "simulate")).expect(201);

        HttpResponse<String> call = post("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
                + "\"params\":{\"name\":\"list_tools\",\"arguments\":{\"prefix\":\"nodesc\"}}}");

        assertThat(call.statusCode()).isEqualTo(200);
        Map<String, Object> result = OpenApiSchemas.map(Jsons.object(call.body().getBytes(StandardCharsets.UTF_8)).get("result"));
        String rendered = (String) OpenApiSchemas.map(((List<?>) result.get("content")).get(0)).get("text");
        assertThat(rendered).contains("- nodesc.echo (simulate)").doesNotContain("null");
    }

    @Test
    void valid_messages_still_reach_the_server() throws Exception {
        HttpResponse<String> init = post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"curl\",\"version\":\"1\"}}}");
        assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
        Map<String, Object> initialized = Jsons.object(init.body().getBytes(StandardCharsets.UTF_8));
        assertThat(initialized).containsEntry("id", 1);
        assertThat(OpenApiSchemas.map(OpenApiSchemas.map(initialized.get("result")).get("serverInfo"))).containsEntry("name", "ordinaut");

        assertThat(post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").statusCode()).isEqualTo(202);

        HttpResponse<String> list = post("{\"jsonrpc\":\"2.0\",\"id\":\"two\",\"method\":\"tools/list\",\"params\":{}}");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("\"id\":\"two\"", "\"create_task\"");

        HttpResponse<String> call = post("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
                + "\"params\":{\"name\":\"preview_schedule\",\"arguments\":{\"schedule_kind\":\"cron\",\"schedule_expr\":\"0 9 * * 1-5\",\"count\":2}}}");
        assertThat(call.statusCode()).isEqualTo(200);
        Map<String, Object> result = OpenApiSchemas.map(Jsons.object(call.body().getBytes(StandardCharsets.UTF_8)).get("result"));
        assertThat(result.get("isError")).isNotEqualTo(Boolean.TRUE);
        assertThat((List<?>) OpenApiSchemas.map(result.get("structuredContent")).get("occurrences")).hasSize(2);

        // an unknown method is the SDK's own JSON-RPC error, untouched
        HttpResponse<String> unknown = post("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"no/such\"}");
        assertThat(unknown.statusCode()).isEqualTo(200);
        assertThat(unknown.body()).contains("-32601").doesNotContain("stackTrace");
        HttpResponse<String> noTool = post("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"no_such_tool\"}}");
        assertThat(noTool.statusCode()).isEqualTo(200);
        assertThat(noTool.body()).contains("\"id\":5", "no_such_tool").doesNotContain("stackTrace");
        assertNoErrorLogged();
    }

    private static HttpResponse<String> postBytes(byte[] body, String contentType, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Nodes.port(node) + "/mcp"))
                .header("Authorization", "Bearer " + Api.ADMIN_TOKEN).header("Content-Type", contentType).header("Accept", ACCEPT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The request line and headers exactly as given (HttpClient would not send every path as is), answered with status and body. */
    private static String[] rawPost(String path, String body) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", Nodes.port(node))) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + Api.ADMIN_TOKEN
                    + "\r\nContent-Type: application/json\r\nAccept: " + ACCEPT + "\r\nContent-Length: " + bytes.length
                    + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(bytes);
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String status = answer.substring(answer.indexOf(' ') + 1, answer.indexOf(' ') + 4);
            String rest = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            // a chunked answer: the JSON sits between the chunk sizes
            String json = rest.contains("{") ? rest.substring(rest.indexOf('{'), rest.lastIndexOf('}') + 1) : rest;
            return new String[] {status, json};
        }
    }

    private List<String> warnings() {
        return logged.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .filter(e -> e.getLoggerName().startsWith("io.modelcontextprotocol") || e.getLoggerName().startsWith("io.ordinaut.mcp"))
                .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
    }

    @Test
    void a_key_given_twice_anywhere_in_the_body_is_a_parse_error_naming_it_as_rest_refuses_it() throws Exception {
        String twice = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"create_task\",\"arguments\":"
                + "{\"title\":\"x\",\"title\":\"twice-titled\",\"schedule_kind\":\"cron\",\"schedule_expr\":\"0 9 * * *\","
                + "\"payload\":{\"pipeline\":[{\"id\":\"s\",\"uses\":\"noop.run\"}]}}}}";

        Map<String, Object> error = jsonRpcError(post(twice), 400, null);

        assertThat(error).containsEntry("code", -32700);
        assertThat((String) error.get("message")).startsWith("Parse error").contains("duplicate key \"title\"");
        assertThat(Nodes.api(node).get("/tasks?limit=100").expect(200).items()).extracting(t -> t.get("title")).doesNotContain("twice-titled");

        Map<String, Object> envelope = jsonRpcError(post("{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"ping\"}"), 400, null);
        assertThat(envelope).containsEntry("code", -32700);
        assertThat((String) envelope.get("message")).contains("duplicate key \"id\"");
        assertNoErrorLogged();
    }

    @Test
    void a_body_with_a_byte_order_mark_or_in_a_declared_charset_is_decoded_as_on_the_rest_routes() throws Exception {
        String create = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"create_task\",\"arguments\":"
                + "{\"title\":\"%s\",\"schedule_kind\":\"cron\",\"schedule_expr\":\"0 9 * * *\","
                + "\"payload\":{\"pipeline\":[{\"id\":\"s\",\"uses\":\"noop.run\"}]}}}}";
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] utf8 = String.format(create, "café bom").getBytes(StandardCharsets.UTF_8);
        byte[] withBom = java.nio.ByteBuffer.allocate(bom.length + utf8.length).put(bom).put(utf8).array();
        Map<String, byte[]> bodies = new java.util.LinkedHashMap<>();
        bodies.put("application/json|café bom", withBom);
        bodies.put("application/json; charset=utf-16|café utf-16", String.format(create, "café utf-16").getBytes(StandardCharsets.UTF_16));
        bodies.put("application/json; charset=iso-8859-1|café latin-1", String.format(create, "café latin-1").getBytes(StandardCharsets.ISO_8859_1));

        for (Map.Entry<String, byte[]> body : bodies.entrySet()) {
            String[] typeAndTitle = body.getKey().split("\\|");
            HttpResponse<String> response = postBytes(body.getValue(), typeAndTitle[0], Map.of());

            assertThat(response.statusCode()).as(typeAndTitle[0] + ": " + response.body()).isEqualTo(200);
            Map<String, Object> result = OpenApiSchemas.map(Jsons.object(response.body().getBytes(StandardCharsets.UTF_8)).get("result"));
            assertThat(OpenApiSchemas.map(result.get("structuredContent"))).as(typeAndTitle[0]).containsEntry("title", typeAndTitle[1]);
        }
        assertNoErrorLogged();
    }

    @Test
    void a_protocol_version_header_naming_a_version_the_server_does_not_speak_is_a_400_naming_those_it_does() throws Exception {
        byte[] ping = "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"ping\"}".getBytes(StandardCharsets.UTF_8);
        byte[] list = "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/list\"}".getBytes(StandardCharsets.UTF_8);
        for (byte[] body : List.of(ping, list)) {
            for (String version : List.of("garbage", "1999-01-01")) {
                Map<String, Object> error = jsonRpcError(postBytes(body, "application/json", Map.of("MCP-Protocol-Version", version)), 400, 11);
                assertThat(error).as(version).containsEntry("code", -32600);
                assertThat((String) error.get("message")).as(version)
                        .contains("MCP-Protocol-Version", "\"" + version + "\"", "2025-03-26", "2025-06-18");
            }
            assertThat(postBytes(body, "application/json", Map.of("MCP-Protocol-Version", "2025-06-18")).statusCode()).isEqualTo(200);
            // no header: 2025-03-26 is assumed, which the server speaks
            assertThat(postBytes(body, "application/json", Map.of()).statusCode()).isEqualTo(200);
        }
        assertNoErrorLogged();
    }

    @Test
    void mcp_matches_its_path_as_sent_as_the_rest_routes_do() throws Exception {
        String ping = "{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"ping\"}";
        for (String path : List.of("//mcp", "/./mcp", "/x/../mcp", "/;x/mcp")) {
            String[] answer = rawPost(path, ping);
            assertThat(answer[0]).as(path + ": " + answer[1]).isEqualTo("404");
            Map<String, Object> body = Jsons.object(answer[1].getBytes(StandardCharsets.UTF_8));
            assertThat(body.keySet()).as(path).containsExactly("error", "message", "details", "request_id", "timestamp");
            assertThat(body).as(path).containsEntry("error", "NotFound");
            // the same forms of a REST route are 404 too
            assertThat(rawPost(path.replace("mcp", "tasks"), "{}")[0]).as(path).isEqualTo("404");
        }
        // a matrix parameter names no other path: /tasks;x=1 is /tasks, and /mcp;x=1 is /mcp
        String[] matrix = rawPost("/mcp;x=1", ping);
        assertThat(matrix[0]).as(matrix[1]).isEqualTo("200");
        assertThat(matrix[1]).contains("\"id\":12", "\"result\"");
    }

    @Test
    void a_tool_call_refused_by_the_argument_type_check_writes_its_audit_row() throws Exception {
        List<String> arguments = List.of("{\"task_id\":{\"$ne\":1}}", "{\"task_id\":5}", "{}");
        for (String args : arguments) {
            HttpResponse<String> response = post("{\"jsonrpc\":\"2.0\",\"id\":13,\"method\":\"tools/call\","
                    + "\"params\":{\"name\":\"get_task\",\"arguments\":" + args + "}}");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).as(args).contains("\"isError\":true", "task_id");
        }

        List<Map<String, Object>> rows = Nodes.api(node).get("/audit?action=mcp:get_task&limit=100").expect(200).items();

        assertThat(rows).filteredOn(row -> Integer.valueOf(400).equals(row.get("status"))).hasSize(arguments.size());
        assertThat(rows).allSatisfy(row -> assertThat(row.get("action")).isEqualTo("mcp:get_task"));
    }

    @Test
    void client_mistakes_the_sdk_would_warn_about_leave_the_log_quiet() throws Exception {
        assertThat(post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/foo\"}").statusCode()).isEqualTo(202);
        assertThat(post("{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":\"list_tasks\"}}").statusCode()).isEqualTo(202);
        HttpResponse<String> init = post("{\"jsonrpc\":\"2.0\",\"id\":14,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"1999-01-01\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"old\",\"version\":\"1\"}}}");
        // MCP: the server answers with a version it speaks, and the client decides
        assertThat(init.statusCode()).isEqualTo(200);
        assertThat(init.body()).contains("\"protocolVersion\":\"2025-");

        assertThat(warnings()).isEmpty();
    }

    @Test
    void an_accept_header_refusing_a_type_with_q_0_does_not_list_it() throws Exception {
        String ping = "{\"jsonrpc\":\"2.0\",\"id\":15,\"method\":\"ping\"}";
        for (String accept : List.of("application/json;q=0, text/event-stream", "application/json, text/event-stream; q=0.000")) {
            Map<String, Object> error = jsonRpcError(post(ping, "application/json", accept), 400, 15);
            assertThat(error).as(accept).containsEntry("code", -32600);
            assertThat((String) error.get("message")).contains("Accept");
        }
        assertThat(post(ping, "application/json", "application/json;q=0.5, text/event-stream;q=1").statusCode()).isEqualTo(200);
    }
}
