package io.ordinaut.tool;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

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

/**
 * Real MCP servers built with the MCP Java SDK (Streamable HTTP servlet transport) on one embedded Tomcat
 * on 127.0.0.1, one server per path, recording every tools/call they receive.
 */
final class TestMcpServer implements AutoCloseable {

    private static final McpJsonMapper JSON = McpJsonDefaults.getMapper();

    /** A tools/call as the server received it. */
    record Call(String server, String tool, Map<String, Object> arguments, Map<String, Object> meta) {
    }

    /** A tool to serve: schemas as JSON text (output may be null), answering from the call's arguments. */
    record ServedTool(String name, String description, String inputSchema, String outputSchema,
                      Function<Map<String, Object>, McpSchema.CallToolResult> answer) {
    }

    private final Tomcat tomcat = new Tomcat();
    private final Context context;
    private final Connector connector;
    private final List<McpSyncServer> servers = new ArrayList<>();
    private final Map<String, McpSyncServer> byName = new ConcurrentHashMap<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    TestMcpServer() throws Exception {
        tomcat.setBaseDir(Files.createTempDirectory("mcp-tomcat").toString());
        connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.getService().addConnector(connector);
        tomcat.setConnector(connector);
        context = tomcat.addContext("", null);
    }

    /** Serves these tools at {@code /<name>/mcp} once {@link #start() started}. */
    TestMcpServer serve(String name, List<ServedTool> tools) {
        return serve(name, name, null, tools);
    }

    /** As {@link #serve(String, List)}, with what the server says of itself in its initialize answer. */
    TestMcpServer serve(String name, String serverName, String instructions, List<ServedTool> tools) {
        String endpoint = "/" + name + "/mcp";
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(JSON)
                .mcpEndpoint(endpoint)
                .build();
        McpServer.SyncSpecification<?> spec = McpServer.sync(transport)
                .serverInfo(serverName, "1.0.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .jsonSchemaValidator(new McpSchemaValidation(new SchemaCheck()));
        if (instructions != null) {
            spec.instructions(instructions);
        }
        for (ServedTool tool : tools) {
            McpSchema.Tool.Builder definition = McpSchema.Tool.builder()
                    .name(tool.name())
                    .description(tool.description())
                    .inputSchema(JSON, tool.inputSchema());
            if (tool.outputSchema() != null) {
                definition.outputSchema(JSON, tool.outputSchema());
            }
            spec.toolCall(definition.build(), (exchange, request) -> {
                calls.add(new Call(name, request.name(), request.arguments(), request.meta()));
                return tool.answer().apply(request.arguments());
            });
        }
        McpSyncServer server = spec.build();
        servers.add(server);
        byName.put(name, server);
        Wrapper servlet = Tomcat.addServlet(context, name, transport);
        servlet.setAsyncSupported(true);
        context.addServletMappingDecoded("/" + name + "/*", name);
        return this;
    }

    TestMcpServer start() throws Exception {
        tomcat.start();
        return this;
    }

    /** The MCP endpoint of a served name. */
    String url(String name) {
        return "http://127.0.0.1:" + connector.getLocalPort() + "/" + name + "/mcp";
    }

    /** Stops listing (and serving) a tool, as a server does when a tool is retired. */
    void remove(String name, String tool) {
        byName.get(name).removeTool(tool);
    }

    static McpSchema.CallToolResult structured(Map<String, Object> content) {
        return McpSchema.CallToolResult.builder().structuredContent(content).build();
    }

    List<Call> calls() {
        return calls;
    }

    List<Call> calls(String server, String tool) {
        return calls.stream().filter(c -> c.server().equals(server) && c.tool().equals(tool)).toList();
    }

    @Override
    public void close() throws Exception {
        servers.forEach(McpSyncServer::close);
        tomcat.stop();
        tomcat.destroy();
    }
}
