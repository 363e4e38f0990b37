package io.ordinaut.tool;

import static io.ordinaut.tool.ToolRuns.create;
import static io.ordinaut.tool.ToolRuns.httpTool;
import static io.ordinaut.tool.ToolRuns.pipeline;
import static io.ordinaut.tool.ToolRuns.runNow;
import static io.ordinaut.tool.ToolRuns.step;
import static io.ordinaut.tool.ToolRuns.steps;
import static io.ordinaut.tool.ToolRuns.task;
import static io.ordinaut.tool.ToolRuns.traceOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Api.AgentApi;
import io.ordinaut.support.NodeTestSupport;
import io.ordinaut.tool.TestHttpServer.Answer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The operator's secrets that an admin's tool sends in its headers never reach the agents whose tasks call it:
 * not when the tool echoes them in an error, nor when it echoes them in a successful answer — which is stored as
 * the step's output, shown to the agent and templated into later steps. On a real node with a real HTTP tool.
 */
@TestPropertySource(properties = {"ordinaut.tools.allow-loopback=true",
        "ORDINAUT_TOOL_DEMO=" + SecretRedactionEndToEndTest.SECRET, "ORDINAUT_TOOL_SLASH=" + SecretRedactionEndToEndTest.ODD_SECRET,
        "ORDINAUT_TOOL_BRACES=" + SecretRedactionEndToEndTest.BRACES, "ORDINAUT_TOOL_INDIRECT=" + SecretRedactionEndToEndTest.INDIRECT})
class SecretRedactionEndToEndTest extends NodeTestSupport {

    static final String SECRET = "tool-secret-value";
    /** A secret holding what reads as a placeholder: resolving it failed with the whole secret in the run's error. */
    static final String BRACES = "pa${nope}ss-word";
    /** A secret naming a setting outside the opened prefixes: resolving it sent the database's address to the tool. */
    static final String INDIRECT = "x-${spring.datasource.url}";
    /** A secret that JSON and HTML writers escape. */
    static final String ODD_SECRET = "Zx9/Qw+Er\"Ty<Ui";
    private static final Map<String, Object> SECRET_HEADERS = Map.of(
            "Authorization", "Bearer ${env:ORDINAUT_TOOL_DEMO}", "X-Api-Key", "${secret:ORDINAUT_TOOL_DEMO}");

    private TestHttpServer server;
    private AgentApi agent;

    @BeforeEach
    void setUp() throws Exception {
        ToolRuns.clearTools(api);
        // answers with the headers it received, as a debugging echo service does
        server = new TestHttpServer()
                .on("/echo", (request, previous) -> Answer.json(200, echo(request)))
                .on("/err", (request, previous) -> Answer.json(400, echo(request)))
                .on("/collect", Answer.json(200, "{\"collected\": true}"));
        agent = api.newAgent("tasks:create", "tasks:read", "runs:write", "runs:read", "tools:read", "tools:write");
    }

    /** The credential headers first, so that they are within the excerpt of an error body. */
    private static String echo(TestHttpServer.Request request) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("authorization", request.header("Authorization"));
        headers.put("x-api-key", request.header("X-Api-Key"));
        headers.put("all", request.headers());
        return JsonMapper.shared().writeValueAsString(headers);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void secrets_an_admin_tool_echoes_are_redacted_in_output_and_error_before_later_steps_see_them() {
        // given an admin's tools that send the operator's secret, and the agent's own tool
        api.post("/tools", httpTool("adm.echo", server.url("/echo"), "headers", SECRET_HEADERS)).expect(201);
        api.post("/tools", httpTool("adm.err", server.url("/err"), "headers", SECRET_HEADERS)).expect(201);
        agent.api().post("/tools", httpTool("own.collect", server.url("/collect"))).expect(201);
        String taskId = create(agent.api(), task("echo", pipeline(Map.of(), List.of(
                step("e", "adm.echo", Map.of(), "continue_on_error", true),
                step("x", "adm.err", Map.of(), "continue_on_error", true),
                step("fwd", "own.collect", Map.of("echoed", "${steps.e}", "text", "got ${steps.e}"))))));

        // when the agent runs it
        Map<String, Object> run = runNow(agent.api(), taskId);

        // then the tools received the secret, and nothing the agent can read or send on holds it
        assertThat(server.requests("/echo").get(0).header("Authorization")).isEqualTo("Bearer " + SECRET);
        assertThat(server.requests("/echo").get(0).header("X-Api-Key")).isEqualTo(SECRET);
        assertThat(traceOf(run, "e")).containsEntry("status", "ok");
        assertThat(traceOf(run, "x")).containsEntry("status", "failed");
        assertThat(traceOf(run, "x").get("error")).asString().contains("Bearer ***");
        assertThat(steps(run).get("e")).asString().contains("Bearer ***").doesNotContain(SECRET);
        assertThat(server.requests("/collect").get(0).body()).contains("Bearer ***").doesNotContain(SECRET);
        assertThat(agent.api().get("/task/" + taskId + "/latest").expect(200).body()).contains("Bearer ***").doesNotContain(SECRET);
        assertThat(agent.api().get("/runs/" + run.get("run_id")).expect(200).body()).doesNotContain(SECRET);
        assertThat(jdbc.sql("SELECT count(*) FROM outbox_entry WHERE body::text LIKE :secret")
                .param("secret", "%" + SECRET + "%").query(Long.class).single()).isZero();
    }

    @Test
    void secrets_a_tool_echoes_escaped_in_an_error_body_are_redacted() {
        // given an admin's tools that answer 401 echoing the secret header as JSON and HTML writers escape it
        server.on("/slash", Answer.json(401, "{\"error\": \"bad token Zx9\\/Qw+Er\\\"Ty<Ui\"}"))
                .on("/unicode", Answer.json(401, "{\"error\": \"bad token Zx9/Qw+Er\\\"Ty\\u003cUi\"}"))
                .on("/html", Answer.json(401, "<p>bad token Zx9/Qw+Er&quot;Ty&lt;Ui</p>"));
        Map<String, Object> headers = Map.of("X-Secret", "${env:ORDINAUT_TOOL_SLASH}");
        for (String path : List.of("/slash", "/unicode", "/html")) {
            api.post("/tools", httpTool("adm" + path.replace('/', '.'), server.url(path), "headers", headers)).expect(201);
        }
        String taskId = create(agent.api(), task("escaped", pipeline(Map.of(), List.of(
                step("s", "adm.slash", Map.of(), "continue_on_error", true),
                step("u", "adm.unicode", Map.of(), "continue_on_error", true),
                step("h", "adm.html", Map.of(), "continue_on_error", true)))));

        // when the agent runs it
        Map<String, Object> run = runNow(agent.api(), taskId);

        // then each step failed with the tool's body, the secret in it replaced whatever its escaping
        assertThat(server.requests("/slash").get(0).header("X-Secret")).isEqualTo(ODD_SECRET);
        assertThat(traceOf(run, "s").get("error")).asString().contains("bad token ***").doesNotContain("Zx9", "Ty");
        assertThat(traceOf(run, "u").get("error")).asString().contains("bad token ***").doesNotContain("Zx9", "Ty");
        assertThat(traceOf(run, "h").get("error")).asString().contains("bad token ***").doesNotContain("Zx9", "Ty");
    }

    @Test
    void a_secret_is_sent_as_it_was_set_a_placeholder_in_it_neither_resolved_nor_failing() {
        // given an admin's tool sending two secrets whose values hold ${…}
        api.post("/tools", httpTool("adm.braces", server.url("/echo"), "headers",
                Map.of("X-Braces", "${env:ORDINAUT_TOOL_BRACES}", "X-Indirect", "${env:ORDINAUT_TOOL_INDIRECT}"))).expect(201);
        String taskId = create(agent.api(), task("braces", pipeline(Map.of(), List.of(step("b", "adm.braces", Map.of())))));

        // when the agent runs it
        Map<String, Object> run = runNow(agent.api(), taskId);

        // then the tool got each value as set, and the agent sees neither
        assertThat(traceOf(run, "b")).containsEntry("status", "ok");
        assertThat(server.requests("/echo").get(0).header("X-Braces")).isEqualTo(BRACES);
        assertThat(server.requests("/echo").get(0).header("X-Indirect")).isEqualTo(INDIRECT);
        assertThat(agent.api().get("/runs/" + run.get("run_id")).expect(200).body()).doesNotContain("pa$", "jdbc:");
    }

    @Test
    void an_answer_key_that_is_a_secret_keeps_its_value_beside_a_key_that_reads_as_redacted() {
        // given an admin's tool whose answer has a key "***" and a key that is the secret
        server.on("/keys", Answer.json(200, "{\"***\": 1, \"" + SECRET + "\": 2}"));
        api.post("/tools", httpTool("adm.keys", server.url("/keys"), "headers", SECRET_HEADERS)).expect(201);
        String taskId = create(agent.api(), task("keys", pipeline(Map.of(), List.of(step("k", "adm.keys", Map.of())))));

        // when the agent runs it
        Map<String, Object> run = runNow(agent.api(), taskId);

        // then both values are in the output, neither key the secret
        assertThat(steps(run).get("k")).isEqualTo(Map.of("***", 1, "***#2", 2));
    }
}
