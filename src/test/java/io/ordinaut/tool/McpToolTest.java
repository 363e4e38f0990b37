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
import org.apache.catalina.startup.Tomcat;
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
    private static Tomcat tomcat;
    private static McpSyncServer mcpServer;
    private static String serverUrl;

    private final Map<String, ToolDefinition> catalog = new HashMap<>();
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
                .toolCall(big, (exchange, request) -> McpSchema.CallToolResult.builder()
                        .addTextContent("x".repeat(((Number) request.arguments().get("size")).intValue())).build())
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
        for (String name : List.of("forecast", "rows", "greet", "broken")) {
            catalog.put("weather." + name, ToolDefinition.mcp("weather." + name, serverUrl));
        }
        router = new ToolRouter(address -> Optional.ofNullable(catalog.get(address)), ToolRouter.Settings.defaults().withAllowLoopback(true));
    }

    @org.junit.jupiter.api.AfterEach
    void closeRouter() {
        router.close();
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

        assertThat(e.retryable()).isTrue();
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
    void discover_lists_tools_with_their_schemas() {
        router.close();
        router = new ToolRouter(address -> Optional.empty(),
                ToolRouter.Settings.defaults().withAllowLoopback(true).withEnvironment(Map.of("ORDINAUT_TOOL_MCP_TOKEN", "t0k3n-value")::get));
        List<ToolDefinition> tools = router.discover(serverUrl, "weather", Map.of("Authorization", "Bearer ${env:ORDINAUT_TOOL_MCP_TOKEN}"));

        assertThat(tools).extracting(ToolDefinition::address)
                .containsExactlyInAnyOrder("weather.forecast", "weather.rows", "weather.greet", "weather.big", "weather.broken");
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

            assertThat(e).isNotNull();
            assertThat(e.getMessage()).contains("1024 bytes");
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
