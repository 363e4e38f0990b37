package io.ordinaut.tool;

import static io.ordinaut.tool.ToolRuns.create;
import static io.ordinaut.tool.ToolRuns.pipeline;
import static io.ordinaut.tool.ToolRuns.runNow;
import static io.ordinaut.tool.ToolRuns.step;
import static io.ordinaut.tool.ToolRuns.task;
import static io.ordinaut.tool.ToolRuns.traceOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.NodeTestSupport;

/**
 * What an MCP server says of itself and of its tools, when it echoes the header secrets the node sent it, reaches
 * neither the node's log nor the discovery answer. On a real node with a real MCP server.
 */
@ExtendWith(OutputCaptureExtension.class)
// the root level a node runs with (the tests' logback configuration has WARN)
@TestPropertySource(properties = {"ordinaut.tools.allow-loopback=true", "logging.level.root=info",
        "ORDINAUT_TOOL_DEMO=" + McpServerWordsEndToEndTest.SECRET})
class McpServerWordsEndToEndTest extends NodeTestSupport {

    static final String SECRET = "tool-secret-value";
    private static final Map<String, Object> SECRET_HEADERS = Map.of("X-Secret", "${env:ORDINAUT_TOOL_DEMO}");

    private TestMcpServer mcp;

    @BeforeEach
    void startServer() throws Exception {
        ToolRuns.clearTools(api);
        // the server's name and instructions carry the header it received, as an echoing server's would
        mcp = new TestMcpServer()
                .serve("echo", "s-" + SECRET, "Instructions use " + SECRET, List.of(
                        new TestMcpServer.ServedTool("ping", "Pings", "{\"type\": \"object\"}", null,
                                args -> TestMcpServer.structured(Map.of("pong", true))),
                        new TestMcpServer.ServedTool("as-" + SECRET, "Named after the secret", "{\"type\": \"object\"}", null,
                                args -> TestMcpServer.structured(Map.of("pong", true))),
                        new TestMcpServer.ServedTool("bad..name", "Not a tool address", "{\"type\": \"object\"}", null,
                                args -> TestMcpServer.structured(Map.of("pong", true))),
                        new TestMcpServer.ServedTool("wide", "Bounded by a number jsonb writes out in 201 digits",
                                "{\"type\": \"object\", \"properties\": {\"n\": {\"type\": \"number\", \"maximum\": 1e200}}}", null,
                                args -> TestMcpServer.structured(Map.of("pong", true)))))
                .start();
    }

    @AfterEach
    void stopServer() throws Exception {
        mcp.close();
    }

    @Test
    void what_a_server_says_of_itself_never_reaches_the_log_in_discovery_or_a_run(CapturedOutput output) {
        // when an admin discovers the server with a secret header, and a task calls one of its tools
        Map<String, Object> discovered = api.post("/tools/discover", Map.of("server_url", mcp.url("echo"), "prefix", "demo",
                "headers", SECRET_HEADERS)).expect(200).map();
        String taskId = create(api, task("ping", pipeline(Map.of(), List.of(step("p", "demo.ping", Map.of())))));
        Map<String, Object> run = runNow(api, taskId);

        // then the call went through, and the node's log never held the secret
        assertThat(traceOf(run, "p")).containsEntry("status", "ok");
        assertThat(discovered.get("total")).isEqualTo(1);
        assertThat(output.getAll()).contains("Discovered 1 tools at").doesNotContain(SECRET);
    }

    @Test
    void a_tool_whose_name_holds_a_header_secret_is_listed_as_skipped_without_it() {
        // when an admin discovers a server that names a tool after the secret header it received
        Map<String, Object> discovered = api.post("/tools/discover", Map.of("server_url", mcp.url("echo"), "prefix", "demo",
                "headers", SECRET_HEADERS)).expect(200).map();

        // then that tool is not catalogued, and the answer says so without the secret
        assertThat(discovered.get("skipped")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).contains(
                Map.of("address", "demo.as-***", "reason", "its name contains a header secret"));
        assertThat(discovered.toString()).doesNotContain(SECRET);
        api.get("/tools/demo.as-" + SECRET).expect(404);
    }

    @Test
    void a_tool_whose_name_is_not_an_address_is_listed_as_skipped_with_the_reason() {
        Map<String, Object> discovered = api.post("/tools/discover", Map.of("server_url", mcp.url("echo"), "prefix", "demo",
                "headers", SECRET_HEADERS)).expect(200).map();

        // a name the MCP SDK takes (dots) but that is no tool address: it was left out of both lists before
        assertThat(discovered.get("skipped")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).contains(Map.of("address", "demo.bad..name",
                "reason", "its name is not a tool address: a name may only contain letters, digits, '_' and '-'"));
        assertThat(discovered.toString()).doesNotContain(SECRET);
    }

    @Test
    void a_tool_whose_schema_could_not_be_read_back_once_stored_is_listed_as_skipped_and_the_catalog_stays_readable() {
        Map<String, Object> discovered = api.post("/tools/discover", Map.of("server_url", mcp.url("echo"), "prefix", "demo",
                "headers", SECRET_HEADERS)).expect(200).map();

        // a schema number that jsonb would store 201 characters wide: its row would break every catalog listing
        assertThat(discovered.get("skipped")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                .anySatisfy(item -> {
                    Map<?, ?> skipped = (Map<?, ?>) item;
                    assertThat(skipped.get("address")).isEqualTo("demo.wide");
                    assertThat((String) skipped.get("reason"))
                            .startsWith("input_schema.properties.n.maximum is a number 201 characters long when stored");
                });
        api.get("/tools/demo.wide").expect(404);
        assertThat(api.get("/tools?prefix=demo.").expect(200).map().get("total")).isEqualTo(1);
    }
}
