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

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.AgentApi;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;
import io.ordinaut.tool.TestHttpServer.Answer;

/**
 * The shared catalog does not let one agent's tool receive another agent's pipeline data: an agent that
 * registers (or discovers) an address another agent's task names gets no call from that task. On a real
 * node, with real HTTP and MCP tool servers.
 */
@TestPropertySource(properties = {"ordinaut.tools.allow-loopback=true",
        // the operator's secret for admins' tools, opened to tool headers by the default prefix
        "ORDINAUT_TOOL_SECRET=" + ToolOwnershipEndToEndTest.OPERATOR_SECRET})
class ToolOwnershipEndToEndTest extends NodeTestSupport {

    static final String OPERATOR_SECRET = "operator-secret-5b9e1c";
    private static final Map<String, Object> SECRET_HEADER = Map.of("Authorization", "Bearer ${env:ORDINAUT_TOOL_SECRET}");
    private static final String SECRET = "alice-private-4711";
    private static TestMcpServer mcp;
    private TestHttpServer collector;
    private AgentApi alice;
    private AgentApi bob;
    @Autowired
    private ToolCatalog catalog;

    @BeforeAll
    static void startMcpServer() throws Exception {
        mcp = new TestMcpServer().serve("collect", List.of(new TestMcpServer.ServedTool("run", "Collects", "{\"type\": \"object\"}",
                null, args -> TestMcpServer.structured(Map.of("ok", true))))).start();
    }

    @AfterAll
    static void stopMcpServer() throws Exception {
        mcp.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        ToolRuns.clearTools(api);
        collector = new TestHttpServer().on("/collect", Answer.json(200, "{\"collected\": true}"));
        alice = api.newAgent("tasks:create", "tasks:read", "runs:write", "runs:read", "tools:read", "tools:write");
        bob = api.newAgent("tools:read", "tools:write");
    }

    @AfterEach
    void stopCollector() {
        collector.close();
    }

    /** A task whose one step sends the secret to this address, retried if the failure were retryable. */
    private static Map<String, Object> sending(String address) {
        return task("Send to " + address, pipeline(Map.of("secret", SECRET), List.of(
                step("send", address, Map.of("data", "${params.secret}"), "max_retries", 2))));
    }

    @Test
    void another_agents_tool_at_the_address_a_task_names_is_not_called() {
        String taskId = create(alice.api(), sending("noop.run"));
        assertThat(steps(runNow(alice.api(), taskId)).get("send")).asString().contains("simulated");

        registeredBeforeTheRules("noop.run", bob.id());
        Map<String, Object> run = runNow(alice.api(), taskId);

        assertRefused(run, "noop.run", bob.id());
        assertThat(collector.requests()).isEmpty();
    }

    @Test
    void registering_an_address_other_agents_tasks_use_is_refused() {
        String taskId = create(alice.api(), sending("sim.tool"));

        Response refused = bob.api().post("/tools", Map.of("address", "sim.tool", "transport", "simulate")).expect(409);

        assertThat(refused.string("message")).contains("address sim.tool is used by other agents' tasks")
                .doesNotContain(alice.id()).doesNotContain(taskId);
        api.get("/tools/sim.tool").expect(404);
        assertThat(steps(runNow(alice.api(), taskId)).get("send")).asString().contains("simulated");
        // the agent's own tasks and canceled ones do not count; an admin's tool serves every agent
        alice.api().post("/tools", httpTool("sim.tool", collector.url("/collect"))).expect(201);
        api.delete("/tools/sim.tool").expect(200);
        api.post("/tasks/" + taskId + "/cancel", Map.of()).expect(200);
        bob.api().post("/tools", Map.of("address", "sim.tool", "transport", "simulate")).expect(201);
        create(alice.api(), sending("admin.tool"));
        api.post("/tools", Map.of("address", "admin.tool", "transport", "simulate")).expect(201);
    }

    @Test
    void registering_an_address_another_agent_holds_is_a_conflict_that_points_only_its_owner_to_put() {
        alice.api().post("/tools", Map.of("address", "alice.unused", "transport", "simulate")).expect(201);

        Response taken = bob.api().post("/tools", Map.of("address", "alice.unused", "transport", "simulate")).expect(409);
        assertThat(taken.string("error")).isEqualTo("Conflict");
        assertThat(taken.string("message")).isEqualTo("Tool address alice.unused is taken; register the tool under another address")
                .doesNotContain(alice.id());
        // and that PUT would have answered 404, as for any tool not its own
        bob.api().put("/tools/alice.unused", Map.of("transport", "simulate")).expect(404);

        Response own = alice.api().post("/tools", Map.of("address", "alice.unused", "transport", "simulate")).expect(409);
        assertThat(own.string("message")).contains("change it with PUT /tools/alice.unused");
        Response admin = api.post("/tools", Map.of("address", "alice.unused", "transport", "simulate")).expect(409);
        assertThat(admin.string("message")).contains("change it with PUT /tools/alice.unused");
    }

    @Test
    void discovery_skips_an_address_other_agents_tasks_use() {
        String taskId = create(alice.api(), sending("hijack.run"));

        Response discovered = bob.api().post("/tools/discover", Map.of("server_url", mcp.url("collect"), "prefix", "hijack"))
                .expect(200);

        assertThat(discovered.map()).containsEntry("created", 0);
        assertThat(discovered.map().get("skipped")).isEqualTo(List.of(
                Map.of("address", "hijack.run", "reason", "address used by other agents' tasks")));
        assertThat(steps(runNow(alice.api(), taskId)).get("send")).asString().contains("simulated");
        assertThat(mcp.calls()).isEmpty();
    }

    @Test
    void a_task_naming_another_agents_tool_is_refused_at_creation_and_update() {
        bob.api().post("/tools", httpTool("bob.collect", collector.url("/collect"), "scopes", List.of("bob:only"))).expect(201);

        Response refused = alice.api().post("/tasks", sending("bob.collect")).expect(400);

        assertThat(refused.details()).containsEntry("field", "payload.pipeline[0].uses").containsEntry("step_id", "send");
        assertThat(refused.string("message")).contains("step 'send' uses tool bob.collect, which belongs to another agent")
                .doesNotContain(bob.id()).doesNotContain("bob:only").doesNotContain("127.0.0.1");
        api.post("/tasks", sending("bob.collect")).expect(400);
        String taskId = create(alice.api(), sending("alice.later"));
        assertThat(api.put("/tasks/" + taskId, Map.of("payload", sending("bob.collect").get("payload"))).expect(400).details())
                .containsEntry("field", "payload.pipeline[0].uses");
        assertThat(collector.requests()).isEmpty();
    }

    @Test
    void an_agents_own_tool_is_called() {
        alice.api().post("/tools", httpTool("alice.collect", collector.url("/collect"))).expect(201);

        Map<String, Object> run = runNow(alice.api(), create(alice.api(), sending("alice.collect")));

        assertThat(run.get("status")).as(String.valueOf(run.get("error"))).isEqualTo("succeeded");
        assertThat(collector.requests("/collect")).singleElement()
                .satisfies(r -> assertThat(r.body()).isEqualTo("{\"data\":\"" + SECRET + "\"}"));
    }

    @Test
    void an_admins_tool_is_called_by_any_agents_task() {
        api.post("/tools", httpTool("shared.collect", collector.url("/collect"))).expect(201);

        Map<String, Object> run = runNow(alice.api(), create(alice.api(), sending("shared.collect")));

        assertThat(run.get("status")).as(String.valueOf(run.get("error"))).isEqualTo("succeeded");
        assertThat(collector.requests("/collect")).hasSize(1);
    }

    @Test
    void an_admins_task_does_not_call_a_non_admin_agents_tool() {
        String taskId = create(api, sending("noop.admin"));
        registeredBeforeTheRules("noop.admin", bob.id());

        Map<String, Object> run = runNow(api, taskId);

        assertRefused(run, "noop.admin", bob.id());
        assertThat(collector.requests()).isEmpty();
    }

    @Test
    void a_non_admin_agent_may_not_register_or_change_a_tool_that_reads_the_operators_secrets() {
        Response refused = bob.api().post("/tools", httpTool("bl.echo", collector.url("/collect"), "headers", SECRET_HEADER))
                .expect(403);

        assertThat(refused.string("error")).isEqualTo("Forbidden");
        assertThat(refused.string("message")).contains("only tools registered by an admin may read secrets");
        assertThat(refused.details()).containsEntry("field", "headers.Authorization")
                .containsEntry("rule", "only-admin-tools-read-secrets");
        api.get("/tools/bl.echo").expect(404);

        bob.api().post("/tools", httpTool("bl.echo", collector.url("/collect"))).expect(201);
        assertThat(bob.api().put("/tools/bl.echo", Map.of("headers", SECRET_HEADER)).expect(403).details())
                .containsEntry("field", "headers.Authorization");
        assertThat(bob.api().post("/tools/discover", Map.of("server_url", mcp.url("collect"), "prefix", "bl",
                "headers", Map.of("X-Key", "${secret:ORDINAUT_TOOL_SECRET}"))).expect(403).details())
                .containsEntry("field", "headers.X-Key");
        assertThat(api.get("/tools/bl.echo").expect(200).map()).containsEntry("headers", Map.of());
        assertThat(collector.requests()).isEmpty();
    }

    @Test
    void a_stored_non_admin_tool_that_names_a_secret_fails_without_reading_it() {
        AgentApi mallory = api.newAgent("tasks:create", "tasks:read", "runs:write", "runs:read", "tools:read", "tools:write");
        mallory.api().post("/tools", httpTool("bl.grab", collector.url("/collect"))).expect(201);
        // as registered before the rule
        jdbc.sql("UPDATE tool SET headers = '{\"Authorization\": \"Bearer ${env:ORDINAUT_TOOL_SECRET}\"}' WHERE address = 'bl.grab'")
                .update();
        catalog.refreshIfChanged();

        Map<String, Object> run = runNow(mallory.api(), create(mallory.api(), sending("bl.grab")));

        assertThat(run.get("status")).isEqualTo("failed");
        assertThat(String.valueOf(run.get("error"))).contains("bl.grab")
                .contains("only tools registered by an admin may read ${env:…}/${secret:…} secrets");
        assertThat(traceOf(run, "send")).containsEntry("attempts", 1);
        assertThat(run.toString()).doesNotContain(OPERATOR_SECRET);
        assertThat(collector.requests()).isEmpty();
    }

    @Test
    void an_admins_tool_reads_the_operators_secret() {
        api.post("/tools", httpTool("ops.collect", collector.url("/collect"), "headers", SECRET_HEADER)).expect(201);

        Map<String, Object> run = runNow(alice.api(), create(alice.api(), sending("ops.collect")));

        assertThat(run.get("status")).as(String.valueOf(run.get("error"))).isEqualTo("succeeded");
        assertThat(collector.requests("/collect")).singleElement()
                .satisfies(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer " + OPERATOR_SECRET));
    }

    @Test
    void a_non_admin_sees_only_the_tools_its_pipelines_may_call() {
        bob.api().post("/tools", httpTool("bob.private", collector.url("/collect"), "description", "Bob's")).expect(201);
        api.post("/tools", httpTool("shared.visible", collector.url("/collect"))).expect(201);
        alice.api().post("/tools", httpTool("alice.own", collector.url("/collect"))).expect(201);
        jdbc.sql("INSERT INTO tool (address, transport, created_at, updated_at) VALUES ('legacy.ownerless', 'simulate', now(), now())")
                .update();

        Response seen = alice.api().get("/tools").expect(200);

        assertThat(seen.items()).extracting(t -> t.get("address"))
                .containsExactly("alice.own", "legacy.ownerless", "shared.visible");
        assertThat(seen.map()).containsEntry("total", 3);
        assertThat(seen.body()).doesNotContain("bob.private").doesNotContain(bob.id());
        assertThat(alice.api().get("/tools?prefix=bob").expect(200).map()).containsEntry("total", 0);
        Response hidden = alice.api().get("/tools/bob.private").expect(404);
        Response unknown = alice.api().get("/tools/nobody.knows").expect(404);
        assertThat(hidden.string("error")).isEqualTo(unknown.string("error"));
        assertThat(hidden.string("message")).isEqualTo("Tool bob.private not found");
        assertThat(bob.api().get("/tools").expect(200).items()).extracting(t -> t.get("address"))
                .containsExactly("bob.private", "legacy.ownerless", "shared.visible");
        assertThat(api.get("/tools").expect(200).items()).extracting(t -> t.get("address"))
                .containsExactly("alice.own", "bob.private", "legacy.ownerless", "shared.visible");
        assertThat(api.get("/tools/bob.private").expect(200).map()).containsEntry("created_by", bob.id());
    }

    /**
     * Another agent's tool at an address a task already names, as registering it could make one before
     * registration refused that ({@code address used by other agents' tasks}).
     */
    private void registeredBeforeTheRules(String address, String owner) {
        jdbc.sql("""
                INSERT INTO tool (address, transport, endpoint, created_at, updated_at, created_by)
                VALUES (:address, 'http', :endpoint, now(), now(), CAST(:owner AS uuid))
                """).param("address", address).param("endpoint", collector.url("/collect")).param("owner", owner).update();
        catalog.refreshIfChanged();
    }

    private void assertRefused(Map<String, Object> run, String address, String owner) {
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat(String.valueOf(run.get("error")))
                .contains("tool " + address + " belongs to another agent (" + owner + ")")
                .contains("a pipeline may call only its own agent's tools and admins' tools")
                .doesNotContain("127.0.0.1");
        // not retryable: one attempt although the step allows retries
        assertThat(traceOf(run, "send")).containsEntry("attempts", 1);
        assertThat(run.toString()).doesNotContain("/collect");
    }

}
