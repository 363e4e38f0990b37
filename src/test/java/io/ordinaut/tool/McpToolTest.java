package io.ordinaut.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.ValveBase;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ordinaut.support.Eventually;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.ordinaut.pipeline.PipelineDefinition;
import io.ordinaut.pipeline.PipelineResult;
import io.ordinaut.pipeline.PipelineRunner;
import io.ordinaut.pipeline.RunContext;

/** A real MCP server (the SDK's servlet transport on embedded Tomcat) called through the router. */
class McpToolTest {

    private static final McpJsonMapper JSON = McpJsonDefaults.getMapper();
    private static final List<McpSchema.CallToolRequest> RECEIVED = new CopyOnWriteArrayList<>();
    private static final List<String> AUTHORIZATION = new CopyOnWriteArrayList<>();
    private static final List<String> METHODS = new CopyOnWriteArrayList<>();
    private static final AtomicInteger BIG_CALLS = new AtomicInteger();
    private static final String DISCOVERY_TOKEN = "t0k3n-value";
    private static Tomcat tomcat;
    private static McpSyncServer mcpServer;
    private static String serverUrl;

    private final Map<String, ToolDefinition> catalog = new HashMap<>();
    private final ListAppender<ILoggingEvent> transportLog = new ListAppender<>();
    // where the SDK reports a failed close of a client's session
    private final Logger transportLogger = (Logger) LoggerFactory.getLogger("io.modelcontextprotocol.spec.McpTransport");
    private ToolRouter router;

    @BeforeAll
    static void startServer() throws Exception {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(JSON)
                .mcpEndpoint("/mcp")
                .contextExtractor(request -> McpTransportContext.create(
                        Map.of("authorization", String.valueOf(request.getHeader("Authorization")))))
                .build();
        McpSchema.Tool forecast = McpSchema.Tool.builder()
                .name("forecast")
                .description("Weather forecast for a city")
                .inputSchema(JSON, """
                        {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                         "required": ["city"]}""")
                .outputSchema(JSON, """
                        {"type": "object", "properties": {"city": {"type": "string"}, "temp": {"type": "number"}}}""")
                .build();
        McpSchema.Tool rows = McpSchema.Tool.builder().name("rows").description("JSON as text")
                .inputSchema(JSON, "{\"type\": \"object\"}").build();
        McpSchema.Tool greet = McpSchema.Tool.builder().name("greet").description("Plain text")
                .inputSchema(JSON, "{\"type\": \"object\"}").build();
        McpSchema.Tool broken = McpSchema.Tool.builder().name("broken").description("Always fails")
                .inputSchema(JSON, "{\"type\": \"object\"}").build();
        McpSchema.Tool big = McpSchema.Tool.builder().name("big").description("As many bytes as asked for")
                .inputSchema(JSON, "{\"type\": \"object\"}").build();
        // a server that tells what it received, in its answer and in what it says of itself
        McpSchema.Tool whoami = McpSchema.Tool.builder().name("whoami").description("Says who called: Bearer " + DISCOVERY_TOKEN)
                .inputSchema(JSON, "{\"type\": \"object\", \"properties\": {\"token\": {\"const\": \"" + DISCOVERY_TOKEN + "\"}}}")
                .build();
        mcpServer = McpServer.sync(transport)
                .serverInfo("test-tools", "1.0.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .jsonSchemaValidator(new McpSchemaValidation(new SchemaCheck()))
                .toolCall(forecast, (exchange, request) -> {
                    RECEIVED.add(request);
                    AUTHORIZATION.add((String) exchange.transportContext().get("authorization"));
                    return McpSchema.CallToolResult.builder()
                            .structuredContent(Map.of("city", request.arguments().get("city"), "temp", 18.5))
                            .addTextContent("{\"city\": \"ignored when structured content exists\"}")
                            .build();
                })
                .toolCall(rows, (exchange, request) -> McpSchema.CallToolResult.builder()
                        .addTextContent("{\"rows\": [1, 2, 3]}").build())
                .toolCall(greet, (exchange, request) -> McpSchema.CallToolResult.builder()
                        .addTextContent("Hello " + request.arguments().get("name")).build())
                .toolCall(big, (exchange, request) -> {
                    BIG_CALLS.incrementAndGet();
                    return McpSchema.CallToolResult.builder().addTextContent("x".repeat(((Number) request.arguments().get("size")).intValue())).build();
                })
                .toolCall(whoami, (exchange, request) -> {
                    String authorization = (String) exchange.transportContext().get("authorization");
                    return McpSchema.CallToolResult.builder()
                            .structuredContent(Map.of("authorization", authorization, "seen", List.of(authorization)))
                            .addTextContent(authorization)
                            .build();
                })
                .toolCall(broken, (exchange, request) -> McpSchema.CallToolResult.builder()
                        .addTextContent("quota exceeded for this account").isError(true).build())
                .build();

        tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("mcp-tomcat").toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.getService().addConnector(connector);
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", null);
        Wrapper servlet = Tomcat.addServlet(context, "mcp", transport);
        servlet.setAsyncSupported(true);
        context.addServletMappingDecoded("/*", "mcp");
        tomcat.getHost().getPipeline().addValve(new ValveBase(true) {
            @Override
            public void invoke(Request request, Response response) throws java.io.IOException, jakarta.servlet.ServletException {
                METHODS.add(request.getMethod());
                getNext().invoke(request, response);
            }
        });
        tomcat.start();
        serverUrl = "http://127.0.0.1:" + connector.getLocalPort() + "/mcp";
    }

    @AfterAll
    static void stopServer() throws Exception {
        mcpServer.close();
        tomcat.stop();
        tomcat.destroy();
    }

    @BeforeEach
    void router() {
        RECEIVED.clear();
        AUTHORIZATION.clear();
        METHODS.clear();
        BIG_CALLS.set(0);
        transportLog.start();
        transportLogger.addAppender(transportLog);
        for (String name : List.of("forecast", "rows", "greet", "broken")) {
            catalog.put("weather." + name, ToolDefinition.mcp("weather." + name, serverUrl));
        }
        router = new ToolRouter(address -> Optional.ofNullable(catalog.get(address)), ToolRouter.Settings.defaults().withAllowLoopback(true));
    }

    @org.junit.jupiter.api.AfterEach
    void closeRouter() {
        router.close();
        transportLogger.detachAppender(transportLog);
    }

    private static ToolCall call(String address, Map<String, Object> args) {
        return new ToolCall(address, args, "idem-42", "run-7", 3, Duration.ofSeconds(10), null);
    }

    @Test
    void structured_content_is_the_output_and_arguments_and_identity_reach_the_server() {
        Object output = router.invoke(call("weather.forecast", Map.of("city", "Lyon", "days", 2)));

        assertThat(output).isEqualTo(Map.of("city", "Lyon", "temp", 18.5));
        assertThat(RECEIVED).hasSize(1);
        McpSchema.CallToolRequest request = RECEIVED.get(0);
        assertThat(request.name()).isEqualTo("forecast");
        assertThat(request.arguments()).isEqualTo(Map.of("city", "Lyon", "days", 2));
        assertThat(request.meta())
                .containsEntry(McpTransport.META_IDEMPOTENCY_KEY, "idem-42")
                .containsEntry(McpTransport.META_RUN_ID, "run-7")
                .containsEntry(McpTransport.META_ATTEMPT, 3);
    }

    @Test
    void text_content_holding_json_is_parsed() {
        assertThat(router.invoke(call("weather.rows", Map.of()))).isEqualTo(Map.of("rows", List.of(1, 2, 3)));
    }

    @Test
    void plain_text_content_is_wrapped() {
        assertThat(router.invoke(call("weather.greet", Map.of("name", "Ada")))).isEqualTo(Map.of("text", "Hello Ada"));
    }

    @Test
    void tool_reported_error_fails_without_retry() {
        ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> router.invoke(call("weather.broken", Map.of())));

        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("quota exceeded");
    }

    @Test
    void connection_is_reused_across_calls() {
        router.invoke(call("weather.forecast", Map.of("city", "A")));
        router.invoke(call("weather.forecast", Map.of("city", "B")));
        router.invoke(call("weather.rows", Map.of()));

        assertThat(RECEIVED).extracting(r -> r.arguments().get("city")).containsExactly("A", "B");
    }

    @Test
    void unreachable_server_is_retryable() throws Exception {
        java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        int port = socket.getLocalPort();
        socket.close();
        catalog.put("gone.tool", ToolDefinition.mcp("gone.tool", "http://127.0.0.1:" + port + "/mcp"));

        ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> router.invoke(call("gone.tool", Map.of())));
        ToolCallException listing = catchThrowableOfType(ToolCallException.class,
                () -> router.discover("http://127.0.0.1:" + port + "/mcp", "gone", Map.of()));

        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).startsWith("gone.tool could not be reached: ").contains("Connection refused")
                .doesNotContain("java.", "Exception");
        assertThat(listing.getMessage()).startsWith("the server could not be reached: ").contains("Connection refused")
                .doesNotContain("java.", "Exception");
    }

    @Test
    void configured_headers_are_sent_with_secrets_resolved_at_call_time() {
        Map<String, String> env = Map.of("ORDINAUT_TOOL_MCP_TOKEN", "mcp-secret-123");
        catalog.put("weather.forecast", ToolDefinition.mcp("weather.forecast", serverUrl)
                .withHeaders(Map.of("Authorization", "Bearer ${secret:ORDINAUT_TOOL_MCP_TOKEN}")));
        try (ToolRouter withSecrets = new ToolRouter(address -> Optional.ofNullable(catalog.get(address)),
                ToolRouter.Settings.defaults().withAllowLoopback(true).withEnvironment(env::get))) {
            withSecrets.invoke(call("weather.forecast", Map.of("city", "Brest")));

            assertThat(AUTHORIZATION).containsExactly("Bearer mcp-secret-123");
        }
    }

    @Test
    void secret_header_value_echoed_in_a_tool_answer_is_redacted_in_the_output() {
        Map<String, String> env = Map.of("ORDINAUT_TOOL_MCP_TOKEN", "mcp-secret-123");
        catalog.put("weather.whoami", ToolDefinition.mcp("weather.whoami", serverUrl)
                .withHeaders(Map.of("Authorization", "Bearer ${secret:ORDINAUT_TOOL_MCP_TOKEN}")));
        try (ToolRouter withSecrets = new ToolRouter(address -> Optional.ofNullable(catalog.get(address)),
                ToolRouter.Settings.defaults().withAllowLoopback(true).withEnvironment(env::get))) {

            Object output = withSecrets.invoke(call("weather.whoami", Map.of()));

            assertThat(output).isEqualTo(Map.of("authorization", "Bearer ***", "seen", List.of("Bearer ***")));
        }
    }

    @Test
    void what_a_server_says_of_its_tools_is_redacted_of_the_discovery_headers_secrets() {
        router.close();
        router = new ToolRouter(address -> Optional.empty(),
                ToolRouter.Settings.defaults().withAllowLoopback(true).withEnvironment(Map.of("ORDINAUT_TOOL_MCP_TOKEN", DISCOVERY_TOKEN)::get));

        ToolDefinition whoami = router.discover(serverUrl, "weather", Map.of("Authorization", "Bearer ${env:ORDINAUT_TOOL_MCP_TOKEN}"))
                .stream().filter(t -> t.address().equals("weather.whoami")).findFirst().orElseThrow();

        assertThat(whoami.description()).isEqualTo("Says who called: Bearer ***");
        assertThat(whoami.inputSchema().get("properties")).isEqualTo(Map.of("token", Map.of("const", "***")));
        assertThat(whoami.headers()).containsEntry("Authorization", "Bearer ${env:ORDINAUT_TOOL_MCP_TOKEN}");
    }

    @Test
    void discover_lists_tools_with_their_schemas() {
        router.close();
        router = new ToolRouter(address -> Optional.empty(),
                ToolRouter.Settings.defaults().withAllowLoopback(true).withEnvironment(Map.of("ORDINAUT_TOOL_MCP_TOKEN", DISCOVERY_TOKEN)::get));
        List<ToolDefinition> tools = router.discover(serverUrl, "weather", Map.of("Authorization", "Bearer ${env:ORDINAUT_TOOL_MCP_TOKEN}"));

        assertThat(tools).extracting(ToolDefinition::address)
                .containsExactlyInAnyOrder("weather.forecast", "weather.rows", "weather.greet", "weather.big", "weather.whoami",
                        "weather.broken");
        ToolDefinition forecast = tools.stream().filter(t -> t.address().equals("weather.forecast")).findFirst().orElseThrow();
        assertThat(forecast.transport()).isEqualTo("mcp");
        assertThat(forecast.endpoint()).isEqualTo(serverUrl);
        assertThat(forecast.description()).isEqualTo("Weather forecast for a city");
        assertThat(forecast.inputSchema()).containsEntry("type", "object").containsEntry("required", List.of("city"));
        assertThat(forecast.inputSchema().get("properties")).isEqualTo(Map.of(
                "city", Map.of("type", "string"), "days", Map.of("type", "integer")));
        assertThat(forecast.outputSchema()).containsKey("properties");
        assertThat(forecast.headers()).containsEntry("Authorization", "Bearer ${env:ORDINAUT_TOOL_MCP_TOKEN}");
    }

    @Test
    void pipeline_step_calls_mcp_tool_with_templated_arguments() {
        PipelineDefinition definition = PipelineDefinition.parse(Map.of(
                "params", Map.of("city", "Nantes"),
                "pipeline", List.of(Map.of("id", "weather", "uses", "weather.forecast",
                        "with", Map.of("city", "${params.city}")),
                        Map.of("id", "report", "uses", "weather.greet",
                        "with", Map.of("name", "${steps.weather.city} at ${steps.weather.temp}")))),
                router::accepts);

        PipelineResult result = new PipelineRunner(router, Clock.systemUTC()).run(definition,
                new RunContext("t", "T", ZoneId.of("UTC"), "r", 1, Instant.now(), "run_now"));

        assertThat(result.success()).as(result.error()).isTrue();
        assertThat(result.steps().get("report")).isEqualTo(Map.of("text", "Hello Nantes at 18.5"));
    }

    @Test
    void mcp_calls_connect_to_the_checked_address_even_when_dns_answers_differently_later() {
        String port = serverUrl.substring("http://127.0.0.1:".length(), serverUrl.indexOf("/mcp"));
        AtomicInteger lookups = new AtomicInteger();
        HostResolver rebinding = host -> new java.net.InetAddress[] {lookups.getAndIncrement() == 0
                ? java.net.InetAddress.getByName("127.0.0.1") : java.net.InetAddress.getByName("169.254.169.254")};
        catalog.put("rebind.forecast", ToolDefinition.mcp("rebind.forecast", "http://mcp.rebind.test:" + port + "/mcp"));
        try (ToolRouter pinned = new ToolRouter(address -> Optional.ofNullable(catalog.get(address)),
                ToolRouter.Settings.defaults().withAllowLoopback(true).withResolver(rebinding))) {

            Object output = pinned.invoke(new ToolCall("rebind.forecast", Map.of("city", "Oslo"), "k", "r", 1,
                    Duration.ofSeconds(10), null));

            assertThat(output).isEqualTo(Map.of("city", "Oslo", "temp", 18.5));
            assertThat(lookups.get()).as("one lookup: the checked answer is the one connected to").isEqualTo(1);
        }
    }

    @Test
    void mcp_server_on_a_refused_address_is_never_contacted() {
        String port = serverUrl.substring("http://127.0.0.1:".length(), serverUrl.indexOf("/mcp"));
        HostResolver metadata = host -> new java.net.InetAddress[] {java.net.InetAddress.getByName("169.254.169.254")};
        catalog.put("meta.forecast", ToolDefinition.mcp("meta.forecast", "http://mcp.meta.test:" + port + "/mcp"));
        try (ToolRouter pinned = new ToolRouter(address -> Optional.ofNullable(catalog.get(address)),
                ToolRouter.Settings.defaults().withAllowLoopback(true).withResolver(metadata))) {

            ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> pinned.invoke(
                    new ToolCall("meta.forecast", Map.of("city", "Oslo"), "k", "r", 1, Duration.ofSeconds(10), null)));

            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).contains("169.254.169.254").contains("refused");
            assertThat(RECEIVED).isEmpty();
        }
    }

    @Test
    void mcp_answer_larger_than_the_response_limit_fails_the_call() {
        ToolProperties small = new ToolProperties(null, true, null, null, null, null, 1024, null, null, null, null);
        catalog.put("weather.big", ToolDefinition.mcp("weather.big", serverUrl));
        try (ToolRouter capped = new ToolRouter(address -> Optional.ofNullable(catalog.get(address)),
                ToolRouter.Settings.of(small, System::getenv, java.time.Clock.systemUTC()))) {

            ToolCallException e = catchThrowableOfType(ToolCallException.class,
                    () -> capped.invoke(call("weather.big", Map.of("size", 50_000))));

            assertThat(e.retryable()).as("the server would answer the same again").isFalse();
            assertThat(e.getMessage()).isEqualTo("weather.big answered with more than 1024 bytes (ordinaut.tools.max-response-bytes)");
            // the session survives a refused answer
            assertThat(capped.invoke(call("weather.big", Map.of("size", 10)))).isEqualTo(Map.of("text", "x".repeat(10)));
        }
    }

    @Test
    void step_with_an_oversized_mcp_answer_fails_without_calling_the_tool_again() {
        ToolProperties small = new ToolProperties(null, true, null, null, null, null, 1024, null, null, null, null);
        catalog.put("weather.big", ToolDefinition.mcp("weather.big", serverUrl));
        try (ToolRouter capped = new ToolRouter(address -> Optional.ofNullable(catalog.get(address)),
                ToolRouter.Settings.of(small, System::getenv, java.time.Clock.systemUTC()))) {
            PipelineDefinition definition = PipelineDefinition.parse(Map.of("pipeline", List.of(Map.of(
                    "id", "huge", "uses", "weather.big", "with", Map.of("size", 50_000), "max_retries", 2))), capped::accepts);

            PipelineResult result = new PipelineRunner(capped, Clock.systemUTC(), java.util.concurrent.Executors.newCachedThreadPool(),
                    Duration.ZERO).run(definition, new RunContext("t", "T", ZoneId.of("UTC"), "r", 1, Instant.now(), "run_now"));

            assertThat(result.success()).isFalse();
            assertThat(result.error()).contains("weather.big answered with more than 1024 bytes")
                    .doesNotContain("could not be reached", "java.", "Exception");
            assertThat(BIG_CALLS.get()).as("calls the server received").isEqualTo(1);
        }
    }

    @Test
    void closing_a_discovery_session_ends_it_without_a_warning() {
        router.discover(serverUrl, "weather", Map.of());

        // the SDK ends the session with a DELETE; it used to be sent after the HTTP pool was shut
        Eventually.until("the session's DELETE reached the server", () -> METHODS.contains("DELETE"));
        router.close();
        assertThat(transportLog.list).filteredOn(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
                .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
    }

    @Test
    void discovering_a_server_that_is_not_an_mcp_server_says_so_without_java_names() throws Exception {
        try (TestHttpServer web = new TestHttpServer()) {
            web.on("/page", new TestHttpServer.Answer(200, "<html>hello</html>", Map.of("Content-Type", "text/html"), 0));
            web.on("/api", TestHttpServer.Answer.json(200, "{\"hello\": 1}"));

            ToolCallException html = catchThrowableOfType(ToolCallException.class, () -> router.discover(web.url("/page"), "w", Map.of()));
            ToolCallException json = catchThrowableOfType(ToolCallException.class, () -> router.discover(web.url("/api"), "w", Map.of()));
            ToolCallException missing = catchThrowableOfType(ToolCallException.class, () -> router.discover(web.url("/none"), "w", Map.of()));

            assertThat(html.getMessage()).isEqualTo("the server did not complete the MCP initialize handshake: "
                    + "Unknown media type returned: text/html");
            assertThat(json.getMessage()).startsWith("the server did not complete the MCP initialize handshake: ")
                    .contains("{\"hello\": 1}");
            assertThat(missing.getMessage()).startsWith("the server did not complete the MCP initialize handshake: ").contains("404");
            assertThat(List.of(html.getMessage(), json.getMessage(), missing.getMessage()))
                    .allSatisfy(message -> assertThat(message).doesNotContain("java.", "Exception", "explicit API call"));
        }
    }

    @Test
    void idle_mcp_connections_are_closed_and_their_number_is_bounded() throws Exception {
        try (ToolRouter bounded = new ToolRouter(address -> Optional.ofNullable(catalog.get(address)),
                ToolRouter.Settings.defaults().withAllowLoopback(true).withMcpConnections(2, Duration.ofMillis(300)))) {
            // distinct header sets make distinct connections to the same server
            for (int i = 0; i < 4; i++) {
                catalog.put("t" + i + ".rows", ToolDefinition.mcp("t" + i + ".rows", serverUrl).withHeaders(Map.of("X-Tenant", "t" + i)));
            }
            for (int i = 0; i < 4; i++) {
                bounded.invoke(new ToolCall("t" + i + ".rows", Map.of(), "k", "r", 1, Duration.ofSeconds(10), null));
                assertThat(bounded.mcpConnections()).isLessThanOrEqualTo(2);
            }
            Thread.sleep(600);
            bounded.invoke(call("weather.rows", Map.of()));

            assertThat(bounded.mcpConnections()).as("the idle ones were closed; only this call's is open").isEqualTo(1);
        }
    }
}
