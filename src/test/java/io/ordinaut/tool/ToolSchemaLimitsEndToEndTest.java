package io.ordinaut.tool;

import static io.ordinaut.tool.ToolRuns.create;
import static io.ordinaut.tool.ToolRuns.httpTool;
import static io.ordinaut.tool.ToolRuns.pipeline;
import static io.ordinaut.tool.ToolRuns.runNow;
import static io.ordinaut.tool.ToolRuns.step;
import static io.ordinaut.tool.ToolRuns.task;
import static io.ordinaut.tool.ToolRuns.traceOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ordinaut.support.Api.AgentApi;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;
import io.ordinaut.tool.TestHttpServer.Answer;

/**
 * What a tool's schemas, written by whoever registers the tool, cannot make the node do: match a regular
 * expression without bound, or read resources outside the schema. On a real node, with a real HTTP tool.
 */
@TestPropertySource(properties = "ordinaut.tools.allow-loopback=true")
class ToolSchemaLimitsEndToEndTest extends NodeTestSupport {

    private static final String CATASTROPHIC = "^(.*a){6}b";
    private static final String AS = "a".repeat(300);

    private TestHttpServer tool;
    private AgentApi agent;
    @Autowired
    private ToolCatalog catalog;

    @BeforeEach
    void setUp() throws Exception {
        ToolRuns.clearTools(api);
        tool = new TestHttpServer().on("/echo", Answer.json(200, "{\"ok\": true}"));
        agent = api.newAgent("tasks:create", "tasks:read", "runs:write", "runs:read", "tools:read", "tools:write");
    }

    @AfterEach
    void stopTool() {
        tool.close();
    }

    @Test
    void a_catastrophic_pattern_fails_the_step_instead_of_holding_a_thread() {
        agent.api().post("/tools", httpTool("re.echo", tool.url("/echo"), "input_schema", Map.of("type", "object",
                "properties", Map.of("x", Map.of("type", "string", "pattern", CATASTROPHIC))))).expect(201);
        String taskId = create(agent.api(), task("Backtrack", pipeline(Map.of("x", AS), List.of(
                step("call", "re.echo", Map.of("x", "${params.x}"), "timeout_seconds", 2, "max_retries", 2)))));

        Map<String, Object> run = runNow(agent.api(), taskId);

        assertThat(run.get("status")).isEqualTo("failed");
        assertThat(String.valueOf(run.get("error"))).contains("input of re.echo violates its schema")
                .contains("pattern " + CATASTROPHIC + " needs more steps to match than a validation may take");
        assertThat(traceOf(run, "call")).containsEntry("attempts", 1);
        assertThat(tool.requests()).isEmpty();
        assertThat(threadsMatching()).as("threads still inside java.util.regex").isEmpty();
    }

    @Test
    void a_catastrophic_pattern_property_or_literal_argument_is_refused_at_task_creation() {
        agent.api().post("/tools", httpTool("re.keys", tool.url("/echo"), "input_schema", Map.of("type", "object",
                "patternProperties", Map.of(CATASTROPHIC, Map.of("type", "integer"))))).expect(201);

        Response refused = agent.api().post("/tasks", task("Keys", pipeline(Map.of(), List.of(
                step("call", "re.keys", Map.of(AS, 1)))))).expect(400);

        assertThat(refused.string("message")).contains("step 'call'").contains("needs more steps to match");
        assertThat(threadsMatching()).isEmpty();
    }

    @Test
    void a_pattern_that_does_not_compile_is_refused_without_a_warning_in_the_log() {
        // the validator library's root logger: its PatternValidator logged at ERROR, its Dialect at WARN
        Logger validatorLog = (Logger) LoggerFactory.getLogger("com.networknt");
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        validatorLog.addAppender(logged);
        try {
            Response refused = agent.api().post("/tools", httpTool("re.bad", tool.url("/echo"), "input_schema",
                    Map.of("type", "object", "properties", Map.of("x", Map.of("type", "string", "pattern", "(unclosed"))))).expect(400);

            assertThat(refused.details()).containsEntry("field", "input_schema");
            assertThat(logged.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
        } finally {
            validatorLog.detachAppender(logged);
        }
    }

    @Test
    void a_schema_may_reference_only_within_itself() {
        for (Map<String, Object> schema : List.of(
                Map.<String, Object>of("$ref", "classpath:application.yaml"),
                Map.<String, Object>of("type", "object", "properties",
                        Map.of("u", Map.of("$ref", "classpath:application.yaml#/spring/datasource/url"))),
                Map.<String, Object>of("$ref", "file:///etc/passwd"),
                Map.<String, Object>of("$dynamicRef", "jar:file:/app.jar!/application.yaml"))) {
            Response refused = agent.api().post("/tools", httpTool("ref.read", tool.url("/echo"), "input_schema", schema))
                    .expect(400);

            String ref = String.valueOf(schema.containsKey("properties") ? "classpath:application.yaml#/spring/datasource/url"
                    : schema.values().iterator().next());
            assertThat(refused.details()).as(ref).containsEntry("field", "input_schema");
            assertThat(refused.string("message")).as(ref).contains("\"" + ref + "\" is not allowed")
                    .contains("may reference only within itself")
                    .doesNotContain("Exception").doesNotContain("java.").doesNotContain("STRING");
        }
        agent.api().post("/tools", httpTool("ref.local", tool.url("/echo"), "input_schema", Map.of("type", "object",
                "properties", Map.of("u", Map.of("$ref", "#/$defs/url")), "$defs", Map.of("url", Map.of("type", "string")))))
                .expect(201);
    }

    @Test
    void a_stored_schema_that_reads_the_classpath_fails_the_step_without_reading_it() {
        agent.api().post("/tools", httpTool("ref.stored", tool.url("/echo"))).expect(201);
        String taskId = create(agent.api(), task("Read", pipeline(Map.of(), List.of(
                step("call", "ref.stored", Map.of("x", 1), "max_retries", 2)))));
        // as registered before the rule
        jdbc.sql("UPDATE tool SET input_schema = '{\"$ref\": \"classpath:application.yaml#/spring/datasource/url\"}' "
                + "WHERE address = 'ref.stored'").update();
        catalog.refreshIfChanged();

        Map<String, Object> run = runNow(agent.api(), taskId);

        assertThat(run.get("status")).isEqualTo("failed");
        assertThat(String.valueOf(run.get("error"))).contains("ref.stored").contains("not allowed to be loaded")
                .doesNotContain("STRING").doesNotContain("jdbc:");
        assertThat(traceOf(run, "call")).containsEntry("attempts", 1);
        assertThat(tool.requests()).isEmpty();
    }

    /** Tool-call and request threads of the node whose stack is in java.util.regex now. */
    private static List<String> threadsMatching() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith("ordinaut-tool-call") || e.getKey().getName().startsWith("http-nio"))
                .filter(e -> Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().startsWith("java.util.regex.")))
                .map(e -> e.getKey().getName())
                .toList();
    }
}
