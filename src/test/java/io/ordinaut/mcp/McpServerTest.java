package io.ordinaut.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.ordinaut.support.Api;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.Nodes;

/**
 * Ordinaut as an MCP server, driven by the MCP Java SDK's own client over real HTTP: two nodes on one
 * database, agents with their own tokens and scopes.
 */
class McpServerTest {

    /** A JSON Schema validator as an MCP client uses one: draft 2020-12, the dialect of MCP and OpenAPI 3.1. */
    private static final SchemaRegistry JSON_SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private static Nodes nodes;
    private static ConfigurableApplicationContext nodeA;
    private static ConfigurableApplicationContext nodeB;
    private static Api admin;

    private final List<McpSyncClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() {
        nodes = Nodes.onFreshDatabase();
        nodeA = nodes.start("mcp-a");
        nodeB = nodes.start("mcp-b");
        admin = Nodes.api(nodeA);
    }

    @AfterAll
    static void stop() {
        nodes.close();
    }

    private static String agentToken(String name, String... scopes) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name + "-" + UUID.randomUUID().toString().substring(0, 8));
        body.put("scopes", List.of(scopes));
        String id = admin.post("/agents", body).expect(201).string("id");
        String secret = admin.post("/agents/" + id + "/credentials", "{}").expect(200).string("agent_secret");
        return admin.as(null).post("/agents/auth/token", Map.of("agent_id", id, "agent_secret", secret)).expect(200)
                .string("access_token");
    }

    private static String fullAgent(String name) {
        return agentToken(name, "tasks:create", "tasks:read", "tasks:update", "tasks:delete", "runs:read", "runs:write", "tools:read");
    }

    private McpSyncClient client(String baseUrl, String token) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(baseUrl)
                .endpoint("/mcp")
                .httpRequestCustomizer((request, method, uri, body, context) -> {
                    if (token != null) {
                        request.header("Authorization", "Bearer " + token);
                    }
                })
                .build();
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60))
                // the first request to a node reads its OpenAPI document, which springdoc generates then
                .initializationTimeout(Duration.ofSeconds(60)).build();
        clients.add(client);
        return client;
    }

    private McpSyncClient connected(String token) {
        McpSyncClient client = client("http://127.0.0.1:" + Nodes.port(nodeA), token);
        client.initialize();
        return client;
    }

    @org.junit.jupiter.api.AfterEach
    void closeClients() {
        clients.forEach(McpSyncClient::closeGracefully);
    }

    private static McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> args) {
        return client.callTool(new McpSchema.CallToolRequest(tool, args));
    }

    private static Map<String, Object> ok(McpSchema.CallToolResult result) {
        assertThat(result.isError()).as("tool error: %s", text(result)).isNotEqualTo(Boolean.TRUE);
        assertThat(text(result)).isNotBlank();
        return OpenApiSchemas.map(result.structuredContent());
    }

    private static String text(McpSchema.CallToolResult result) {
        StringBuilder text = new StringBuilder();
        for (McpSchema.Content content : result.content()) {
            if (content instanceof McpSchema.TextContent t) {
                text.append(t.text()).append('\n');
            }
        }
        return text.toString();
    }

    /** What a JSON Schema validator finds wrong with a value ({@code "/payload: …"}); empty when it is valid. */
    private static List<String> violations(Map<String, Object> schema, Object value) {
        return JSON_SCHEMAS.getSchema(Jsons.text(schema), InputFormat.JSON).validate(Jsons.text(value), InputFormat.JSON).stream()
                .map(e -> e.getInstanceLocation() + ": " + e.getMessage()).toList();
    }

    private static Map<String, McpSchema.Tool> tools(McpSyncClient client) {
        Map<String, McpSchema.Tool> listed = new LinkedHashMap<>();
        client.listTools().tools().forEach(t -> listed.put(t.name(), t));
        return listed;
    }

    private static Map<String, Object> property(McpSchema.Tool tool, String name) {
        return OpenApiSchemas.map(OpenApiSchemas.map(tool.inputSchema().get("properties")).get(name));
    }

    static Map<String, Object> weekdayMorningTask(String title) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("title", title);
        task.put("schedule_kind", "rrule");
        task.put("schedule_expr", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0");
        task.put("timezone", "Europe/Chisinau");
        task.put("payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
        return task;
    }

    @Test
    void an_agent_previews_creates_runs_reads_pauses_and_cancels_a_task_over_mcp() {
        McpSyncClient client = client("http://127.0.0.1:" + Nodes.port(nodeA), fullAgent("mcp-user"));
        McpSchema.InitializeResult init = client.initialize();
        assertThat(init.serverInfo().name()).isEqualTo("ordinaut");
        assertThat(init.instructions()).contains("ISO-8601", "rrule", "pipeline");
        // a saved output is steps.<save_as> itself (docs/pipelines.md): there is no ".output" under it
        assertThat(init.instructions()).contains("\"save_as\": \"weather\"", "${steps.weather}", "${steps.weather.temp}")
                .doesNotContain(".output}");

        List<McpSchema.Tool> tools = client.listTools().tools();
        assertThat(tools).extracting(McpSchema.Tool::name).containsExactlyInAnyOrder("create_task", "list_tasks", "get_task",
                "update_task", "pause_task", "resume_task", "cancel_task", "snooze_task", "run_task_now", "preview_schedule",
                "list_runs", "get_run", "retry_run", "list_tools", "publish_event");
        assertThat(tools).allSatisfy(t -> assertThat(t.outputSchema()).containsEntry("type", "object"));

        Map<String, Object> preview = ok(call(client, "preview_schedule", Map.of("schedule_kind", "rrule",
                "schedule_expr", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0", "timezone", "Europe/Chisinau",
                "after", "2026-03-25T00:00:00Z", "count", 5)));
        assertThat(preview.get("occurrences")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).containsExactly("2026-03-25T09:00:00+02:00", "2026-03-26T09:00:00+02:00",
                "2026-03-27T09:00:00+02:00", "2026-03-30T09:00:00+03:00", "2026-03-31T09:00:00+03:00");
        assertThat((List<?>) preview.get("dst_notes")).singleElement().asString().contains("+02:00", "+03:00");

        Map<String, Object> created = ok(call(client, "create_task", weekdayMorningTask("morning briefing")));
        String taskId = (String) created.get("id");
        assertThat(created.get("status")).isEqualTo("active");
        assertThat(created.get("next_run_at")).isNotNull();
        assertThat(ok(call(client, "get_task", Map.of("task_id", taskId))).get("title")).isEqualTo("morning briefing");

        Map<String, Object> ran = ok(call(client, "run_task_now", Map.of("task_id", taskId)));
        String runId = (String) OpenApiSchemas.map(ran.get("details")).get("run_id");
        assertThat(runId).isNotNull();
        Map<String, Object> run = Eventually.until("run " + runId + " finished over MCP",
                () -> ok(call(client, "get_run", Map.of("run_id", runId))), r -> r.get("finished_at") != null);
        assertThat(run.get("status")).isEqualTo("succeeded");
        assertThat(run.get("task_id")).isEqualTo(taskId);
        assertThat(run.get("output")).isNotNull();
        assertThat(text(call(client, "get_run", Map.of("run_id", runId)))).contains("Steps:", "- s (noop.run): ");
        Map<String, Object> runs = ok(call(client, "list_runs", Map.of("task_id", taskId)));
        assertThat((List<?>) runs.get("items")).isNotEmpty();

        ok(call(client, "pause_task", Map.of("task_id", taskId)));
        assertThat(ok(call(client, "get_task", Map.of("task_id", taskId))).get("status")).isEqualTo("paused");
        ok(call(client, "cancel_task", Map.of("task_id", taskId)));
        assertThat(ok(call(client, "get_task", Map.of("task_id", taskId))).get("status")).isEqualTo("canceled");

        // the same audit log as REST, the action naming the MCP tool
        List<Map<String, Object>> audit = admin.get("/audit?subject_id=" + taskId + "&limit=100").expect(200).items();
        assertThat(audit).extracting(a -> a.get("action")).contains("mcp:create_task", "mcp:run_task_now", "mcp:pause_task",
                "mcp:cancel_task", "mcp:get_task");
    }

    @Test
    @SuppressWarnings("unchecked")
    void update_resume_snooze_retry_publish_list_tools_and_resources_reach_their_rest_twins() {
        McpSyncClient client = connected(agentToken("steering", "tasks:create", "tasks:read", "tasks:update", "tasks:delete",
                "runs:read", "runs:write", "tools:read", "events:publish"));
        String taskId = (String) ok(call(client, "create_task", weekdayMorningTask("to steer"))).get("id");

        Map<String, Object> update = new LinkedHashMap<>();
        update.put("task_id", taskId);
        update.put("title", "steered");
        update.put("timezone", "America/New_York");
        Map<String, Object> updated = ok(call(client, "update_task", update));
        assertThat(updated).containsEntry("title", "steered").containsEntry("timezone", "America/New_York");
        assertThat(admin.get("/tasks/" + taskId).expect(200).string("title")).isEqualTo("steered");

        ok(call(client, "pause_task", Map.of("task_id", taskId)));
        ok(call(client, "resume_task", Map.of("task_id", taskId)));
        assertThat(admin.get("/tasks/" + taskId).expect(200).string("status")).isEqualTo("active");

        ok(call(client, "snooze_task", Map.of("task_id", taskId, "delay_seconds", 600, "reason", "in a meeting")));
        assertThat(admin.get("/audit?subject_id=" + taskId + "&limit=100").expect(200).items())
                .extracting(a -> a.get("action")).contains("mcp:update_task", "mcp:resume_task", "mcp:snooze_task");

        // retry_run is the REST retry: a succeeded run is refused with the REST answer's reason
        String runId = (String) OpenApiSchemas.map(ok(call(client, "run_task_now", Map.of("task_id", taskId))).get("details")).get("run_id");
        Eventually.until("run " + runId + " finished", () -> ok(call(client, "get_run", Map.of("run_id", runId))),
                r -> r.get("finished_at") != null);
        McpSchema.CallToolResult retry = call(client, "retry_run", Map.of("run_id", runId));
        assertThat(retry.isError()).isTrue();
        assertThat(text(retry)).contains("409");

        McpSchema.Tool publish = client.listTools().tools().stream().filter(t -> t.name().equals("publish_event")).findFirst().orElseThrow();
        assertThat((List<Object>) publish.inputSchema().get("required")).as("as the POST /events twin requires").containsExactlyInAnyOrder("topic", "payload");
        McpSchema.CallToolResult noPayload = call(client, "publish_event", Map.of("topic", "mcp.steering"));
        assertThat(noPayload.isError()).isTrue();
        assertThat(text(noPayload)).contains("payload is required", "field: payload");
        Map<String, Object> published = ok(call(client, "publish_event", Map.of("topic", "mcp.steering", "payload", Map.of("n", 1))));
        String eventId = (String) OpenApiSchemas.map(published.get("details")).get("event_id");
        assertThat(eventId).isNotBlank();
        McpSchema.CallToolResult spoofed = call(client, "publish_event", Map.of("topic", "mcp.steering", "payload", Map.of(),
                "source_agent_id", "00000000-0000-0000-0000-000000000001"));
        assertThat(spoofed.isError()).isTrue();
        assertThat(text(spoofed)).contains("ValidationError (HTTP 400)", "only an admin may name another agent", "field: source_agent_id");
        assertThat(admin.get("/events/" + eventId).expect(200).string("topic")).isEqualTo("mcp.steering");

        assertThat(ok(call(client, "list_tools", Map.of())).get("items")).isInstanceOf(List.class);

        McpSchema.ReadResourceResult resource = client.readResource(new McpSchema.ReadResourceRequest("ordinaut://tasks/" + taskId));
        assertThat(((McpSchema.TextResourceContents) resource.contents().get(0)).text()).contains(taskId, "steered");
        McpSchema.ReadResourceResult runResource = client.readResource(new McpSchema.ReadResourceRequest("ordinaut://runs/" + runId));
        assertThat(((McpSchema.TextResourceContents) runResource.contents().get(0)).text()).contains(runId, "succeeded");
        // another agent's task is not found as a resource either
        McpSyncClient stranger = connected(fullAgent("stranger"));
        assertThatThrownBy(() -> stranger.readResource(new McpSchema.ReadResourceRequest("ordinaut://tasks/" + taskId)))
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    void reading_a_resource_reports_a_refusal_as_the_tools_do_and_not_as_not_found() {
        // given an agent whose budget is three calls an hour, and its own task
        Map<String, Object> agent = new LinkedHashMap<>();
        agent.put("name", "budgeted-" + UUID.randomUUID().toString().substring(0, 8));
        agent.put("scopes", List.of("tasks:create", "tasks:read"));
        agent.put("budget", Map.of("api_calls_per_hour", 3));
        String agentId = admin.post("/agents", agent).expect(201).string("id");
        String secret = admin.post("/agents/" + agentId + "/credentials", "{}").expect(200).string("agent_secret");
        String token = admin.as(null).post("/agents/auth/token", Map.of("agent_id", agentId, "agent_secret", secret)).expect(200)
                .string("access_token");
        McpSyncClient budgeted = connected(token);
        String taskId = (String) ok(call(budgeted, "create_task", weekdayMorningTask("budgeted"))).get("id");
        McpSchema.ReadResourceRequest own = new McpSchema.ReadResourceRequest("ordinaut://tasks/" + taskId);

        // when it reads its own task past the budget, then it is told it is rate limited and when to retry
        budgeted.readResource(own);
        budgeted.readResource(own);
        assertThatThrownBy(() -> budgeted.readResource(own)).isInstanceOfSatisfying(io.modelcontextprotocol.spec.McpError.class, e -> {
            assertThat(e.getJsonRpcError().code()).isNotEqualTo(-32002);
            assertThat(e.getJsonRpcError().message()).contains("RateLimited", "429", "retry in").doesNotContain("not found");
            assertThat(OpenApiSchemas.map(e.getJsonRpcError().data())).containsEntry("status", 429).containsKey("retry_after_seconds");
        });

        // an agent without tasks:read or runs:read is told which scope it lacks
        McpSyncClient scopeless = connected(agentToken("scopeless", "tools:read"));
        assertThatThrownBy(() -> scopeless.readResource(own)).isInstanceOfSatisfying(io.modelcontextprotocol.spec.McpError.class, e -> {
            assertThat(e.getJsonRpcError().code()).isNotEqualTo(-32002);
            assertThat(e.getJsonRpcError().message()).contains("Forbidden", "403", "tasks:read");
            assertThat(OpenApiSchemas.map(e.getJsonRpcError().data())).containsEntry("status", 403);
        });
        assertThatThrownBy(() -> scopeless.readResource(new McpSchema.ReadResourceRequest("ordinaut://runs/" + UUID.randomUUID())))
                .isInstanceOfSatisfying(io.modelcontextprotocol.spec.McpError.class,
                        e -> assertThat(e.getJsonRpcError().message()).contains("Forbidden", "runs:read"));

        // another agent's task, or none at all, is still simply not found
        McpSyncClient stranger = connected(fullAgent("resource-stranger"));
        for (String uri : List.of("ordinaut://tasks/" + taskId, "ordinaut://tasks/" + UUID.randomUUID(), "ordinaut://runs/" + UUID.randomUUID(),
                "ordinaut://tasks/not-a-uuid")) {
            assertThatThrownBy(() -> stranger.readResource(new McpSchema.ReadResourceRequest(uri))).as(uri)
                    .isInstanceOfSatisfying(io.modelcontextprotocol.spec.McpError.class,
                            e -> assertThat(e.getJsonRpcError().code()).isEqualTo(-32002));
        }
    }

    @Test
    void an_agent_without_tasks_create_gets_a_tool_error_from_create_task() {
        McpSyncClient reader = connected(agentToken("reader", "tasks:read"));
        McpSchema.CallToolResult result = call(reader, "create_task", weekdayMorningTask("not allowed"));
        assertThat(result.isError()).isTrue();
        assertThat(text(result)).contains("Forbidden", "tasks:create");
        assertThat(ok(call(reader, "list_tasks", Map.of())).get("total")).isEqualTo(0);
    }

    @Test
    void agent_b_cannot_see_agent_a_tasks_or_runs() {
        McpSyncClient alice = connected(fullAgent("alice"));
        McpSyncClient bob = connected(fullAgent("bob"));
        String taskId = (String) ok(call(alice, "create_task", weekdayMorningTask("alice's"))).get("id");
        String runId = (String) OpenApiSchemas.map(ok(call(alice, "run_task_now", Map.of("task_id", taskId))).get("details")).get("run_id");

        McpSchema.CallToolResult get = call(bob, "get_task", Map.of("task_id", taskId));
        assertThat(get.isError()).isTrue();
        assertThat(text(get)).contains("NotFound", "not found").doesNotContain("alice's");
        assertThat(ok(call(bob, "list_tasks", Map.of())).get("total")).isEqualTo(0);
        assertThat((List<?>) ok(call(bob, "list_runs", Map.of("task_id", taskId))).get("items")).isEmpty();
        assertThat(call(bob, "get_run", Map.of("run_id", runId)).isError()).isTrue();
        assertThat(call(bob, "cancel_task", Map.of("task_id", taskId)).isError()).isTrue();
        assertThat(ok(call(alice, "get_task", Map.of("task_id", taskId))).get("status")).isEqualTo("active");
    }

    @Test
    void bad_arguments_come_back_as_tool_errors_naming_the_field() {
        McpSyncClient client = connected(fullAgent("careless"));
        Map<String, Object> badZone = weekdayMorningTask("bad zone");
        badZone.put("timezone", "Mars/Olympus_Mons");
        McpSchema.CallToolResult zone = call(client, "create_task", badZone);
        assertThat(zone.isError()).isTrue();
        assertThat(text(zone)).contains("ValidationError", "field: timezone", "Mars/Olympus_Mons");

        McpSchema.CallToolResult cron = call(client, "preview_schedule", Map.of("schedule_kind", "cron", "schedule_expr", "61 * * * *"));
        assertThat(cron.isError()).isTrue();
        assertThat(text(cron)).contains("field: schedule_expr", "61");

        McpSchema.CallToolResult missing = call(client, "get_task", Map.of());
        assertThat(missing.isError()).isTrue();
        assertThat(text(missing)).contains("task_id is required");

        McpSchema.CallToolResult snooze = call(client, "snooze_task", Map.of("task_id", UUID.randomUUID().toString()));
        assertThat(snooze.isError()).isTrue();
        assertThat(text(snooze)).contains("field: delay_seconds");
    }

    @Test
    void an_id_or_query_argument_of_the_wrong_type_is_a_tool_error_naming_it_not_a_lookup() {
        McpSyncClient client = connected(agentToken("typed", "tasks:create", "tasks:read", "tasks:update", "tasks:delete",
                "runs:read", "runs:write", "tools:read", "events:publish"));
        Map<String, Object> operator = Map.of("$ne", 1);
        Map<String, McpSchema.Tool> listed = new LinkedHashMap<>();
        client.listTools().tools().forEach(t -> listed.put(t.name(), t));
        List<String> checked = new ArrayList<>();

        for (OrdinautTool tool : OrdinautTool.ALL) {
            if (tool.idArgument() != null) {
                McpSchema.CallToolResult refused = call(client, tool.name(), Map.of(tool.idArgument(), operator));
                assertThat(refused.isError()).as(tool.name()).isTrue();
                assertThat(text(refused)).as(tool.name()).contains("ValidationError", tool.idArgument() + " must be a string",
                        "not an object", "(field: " + tool.idArgument() + ")").doesNotContain("not found", "$ne");
                checked.add(tool.name() + "." + tool.idArgument());
            }
            if (tool.arguments() == OrdinautTool.Arguments.QUERY) {
                OpenApiSchemas.map(listed.get(tool.name()).inputSchema().get("properties")).forEach((name, schema) -> {
                    Object wrong = "string".equals(OpenApiSchemas.map(schema).get("type")) ? operator : List.of(1);
                    McpSchema.CallToolResult refused = call(client, tool.name(), Map.of(name, wrong));
                    assertThat(refused.isError()).as(tool.name() + " " + name).isTrue();
                    assertThat(text(refused)).as(tool.name() + " " + name).contains("ValidationError", name + " must be ",
                            "(field: " + name + ")");
                    checked.add(tool.name() + "." + name);
                });
            }
        }
        // a number is no string either; a query argument's text is still the twin's to parse
        assertThat(text(call(client, "list_tools", Map.of("prefix", 7)))).contains("prefix must be a string, not a number");
        assertThat(text(call(client, "list_tasks", Map.of("limit", "ten")))).contains("limit must be an integer", "field: limit");
        assertThat(ok(call(client, "list_tasks", Map.of("limit", "5"))).get("limit")).isEqualTo(5);
        // arguments of a JSON body keep their type, and the twin judges them
        assertThat(text(call(client, "publish_event", Map.of("topic", operator, "payload", Map.of()))))
                .contains("ValidationError", "field: topic");
        assertThat(checked).contains("get_task.task_id", "get_run.run_id", "list_runs.task_id", "list_tools.prefix", "list_tasks.limit");
    }

    /** Over REST such a URL is a 414; an id longer than a UUID names nothing and is not repeated back, or kept. */
    @Test
    void an_id_longer_than_any_uuid_is_a_tool_error_naming_the_argument_without_repeating_it() {
        McpSyncClient client = connected(agentToken("long-ids", "tasks:create", "tasks:read", "tasks:update", "tasks:delete",
                "runs:read", "runs:write"));
        String huge = "x".repeat(100_000);
        List<String> checked = new ArrayList<>();
        for (OrdinautTool tool : OrdinautTool.ALL) {
            if (tool.idArgument() != null) {
                McpSchema.CallToolResult refused = call(client, tool.name(), Map.of(tool.idArgument(), huge));
                assertThat(refused.isError()).as(tool.name()).isTrue();
                assertThat(text(refused)).as(tool.name()).contains("ValidationError", tool.idArgument() + " is 100000 characters long",
                        "a UUID, 36 characters", "(field: " + tool.idArgument() + ")").doesNotContain("x".repeat(37)).hasSizeLessThan(2_000);
                checked.add(tool.name());
            }
        }
        McpSchema.CallToolResult filter = call(client, "list_runs", Map.of("task_id", huge));
        assertThat(text(filter)).contains("task_id is 100000 characters long", "(field: task_id)").doesNotContain("x".repeat(37));
        assertThatThrownBy(() -> client.readResource(new McpSchema.ReadResourceRequest("ordinaut://tasks/" + huge)))
                .isInstanceOfSatisfying(io.modelcontextprotocol.spec.McpError.class, e -> {
                    assertThat(e.getJsonRpcError().code()).isEqualTo(-32002);
                    assertThat(Jsons.text(e.getJsonRpcError().data())).doesNotContain("x".repeat(37));
                });
        // one as long as a UUID is still the twin's to look up: a 404, as over REST
        assertThat(text(call(client, "get_task", Map.of("task_id", "x".repeat(36))))).contains("NotFound");

        assertThat(checked).contains("get_task", "update_task", "get_run", "retry_run");
        assertThat(admin.get("/audit?action=mcp:get_task&limit=1000").expect(200).body()).doesNotContain("x".repeat(37));
        assertThat(admin.get("/audit?action=mcp:resources/read&limit=1000").expect(200).body()).doesNotContain("x".repeat(37));
    }

    @Test
    void create_task_refuses_literal_arguments_that_break_the_tool_input_schema_as_post_tasks_does() {
        admin.post("/tools", Map.of("address", "mcp-test.forecast", "transport", "simulate", "input_schema", Map.of("type", "object",
                "required", List.of("city"), "properties", Map.of("city", Map.of("type", "string"), "days", Map.of("type", "integer")))))
                .expect(201);
        McpSyncClient client = connected(fullAgent("schema-breaker"));
        Map<String, Object> task = weekdayMorningTask("bad days");
        task.put("payload", Map.of("pipeline", List.of(Map.of("id", "forecast", "uses", "mcp-test.forecast",
                "with", Map.of("city", "Chisinau", "days", "two")))));

        McpSchema.CallToolResult refused = call(client, "create_task", task);

        assertThat(refused.isError()).isTrue();
        assertThat(text(refused)).contains("ValidationError", "field: payload.pipeline[0].with.days",
                "/days: string found, integer expected");
        admin.delete("/tools/mcp-test.forecast").expect(200);
    }

    @Test
    void each_tool_input_schema_is_the_openapi_request_schema_of_its_rest_twin() {
        McpSyncClient client = connected(fullAgent("schemas"));
        Map<String, Object> document = admin.get("/v3/api-docs").expect(200).map();
        OpenApiSchemas openApi = new OpenApiSchemas(document);
        Map<String, McpSchema.Tool> listed = new LinkedHashMap<>();
        client.listTools().tools().forEach(t -> listed.put(t.name(), t));
        for (OrdinautTool tool : OrdinautTool.ALL) {
            McpSchema.Tool served = listed.get(tool.name());
            Map<String, Object> properties = new LinkedHashMap<>(OpenApiSchemas.map(served.inputSchema().get("properties")));
            List<Object> required = served.inputSchema().get("required") instanceof List<?> r ? new ArrayList<>(r) : new ArrayList<>();
            if (tool.idArgument() != null) {
                assertThat(properties.remove(tool.idArgument())).as(tool.name()).isNotNull();
                assertThat(required.remove(tool.idArgument())).as(tool.name()).isTrue();
            }
            Map<String, Object> operation = openApi.operation(tool.operationId());
            switch (tool.arguments()) {
                case BODY -> {
                    Map<String, Object> body = openApi.requestBody(operation);
                    assertThat(properties).as("%s vs the request body of %s", tool.name(), tool.operationId())
                            .isEqualTo(body.get("properties"));
                    assertThat(new HashSet<>(required)).as(tool.name())
                            .isEqualTo(new HashSet<>(body.get("required") == null ? List.of() : (List<?>) body.get("required")));
                }
                case QUERY -> assertThat(properties).as("%s vs the query parameters of %s", tool.name(), tool.operationId())
                        .isEqualTo(openApi.queryParameters(operation)).isNotEmpty();
                case NONE -> assertThat(properties).as(tool.name()).isEmpty();
            }
        }
        // and the twins' bodies are the typed records
        assertThat(openApi.requestBody(openApi.operation("createTask")).get("properties")).asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.MAP).containsKeys("title", "schedule_kind", "schedule_expr", "timezone", "payload");
    }

    @Test
    void documented_arguments_and_real_answers_validate_against_the_advertised_schemas() {
        McpSyncClient client = connected(agentToken("validated", "tasks:create", "tasks:read", "tasks:update", "tasks:delete",
                "runs:read", "runs:write", "tools:read", "events:publish"));
        Map<String, McpSchema.Tool> tools = tools(client);
        OpenApiSchemas openApi = new OpenApiSchemas(admin.get("/v3/api-docs").expect(200).map());

        // given the documented arguments: a payload is an object whose values may be anything (a pipeline array, a number)
        Map<String, Object> task = weekdayMorningTask("validated");
        task.put("payload", Map.of("params", Map.of("city", "Chisinau"), "pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
        assertThat(violations(tools.get("create_task").inputSchema(), task)).isEmpty();
        assertThat(violations(tools.get("publish_event").inputSchema(), Map.of("topic", "orders.created", "payload", Map.of("order_id", 17))))
                .isEmpty();
        Map<String, Object> tool = Map.of("address", "validated.forecast", "transport", "simulate",
                "input_schema", Map.of("type", "object", "required", List.of("city")), "output_schema", Map.of("type", "object"));
        assertThat(violations(openApi.requestBody(openApi.operation("createTool")), tool)).isEmpty();
        assertThat(violations(openApi.requestBody(openApi.operation("updateTool")), Map.of("input_schema", Map.of("type", "object"))))
                .isEmpty();
        // a PUT resets an optional field with null (docs/api.md), and only those: title cannot be cleared
        Map<String, Object> reset = new HashMap<>();
        for (String field : List.of("description", "timezone", "priority", "max_retries", "backoff_strategy", "dedupe_key",
                "dedupe_window_seconds", "concurrency_key", "misfire_grace_seconds", "jitter_seconds", "start_at", "end_at",
                "overlap_policy", "run_timeout_seconds", "concurrency_limit")) {
            reset.put(field, null);
        }
        assertThat(violations(openApi.requestBody(openApi.operation("updateTask")), reset)).isEmpty();
        reset.put("task_id", UUID.randomUUID().toString());
        assertThat(violations(tools.get("update_task").inputSchema(), reset)).isEmpty();
        Map<String, Object> clearedTitle = new HashMap<>(Map.of("task_id", UUID.randomUUID().toString()));
        clearedTitle.put("title", null);
        assertThat(violations(tools.get("update_task").inputSchema(), clearedTitle)).singleElement().asString().contains("/title");

        // the outputs are the twins' response schemas, with their properties
        for (String name : List.of("create_task", "get_task", "update_task")) {
            assertThat(OpenApiSchemas.map(tools.get(name).outputSchema().get("properties"))).as(name)
                    .containsKeys("id", "title", "status", "payload", "next_run_at", "timezone");
        }
        assertThat(OpenApiSchemas.map(tools.get("get_run").outputSchema().get("properties")))
                .containsKeys("id", "run_id", "task_id", "status", "output", "finished_at");

        // when every tool answers, then each answer validates against the tool's outputSchema, nulls included
        Map<String, Object> answers = new LinkedHashMap<>();
        Map<String, Object> created = ok(call(client, "create_task", task));
        answers.put("create_task", created);
        String taskId = (String) created.get("id");
        answers.put("get_task", ok(call(client, "get_task", Map.of("task_id", taskId))));
        Map<String, Object> update = new HashMap<>(reset);
        update.put("task_id", taskId);
        Map<String, Object> updated = ok(call(client, "update_task", update));
        assertThat(updated).containsEntry("timezone", "UTC").containsEntry("priority", 5).containsEntry("dedupe_key", null)
                .containsEntry("overlap_policy", "skip");
        answers.put("update_task", updated);
        answers.put("list_tasks", ok(call(client, "list_tasks", Map.of())));
        answers.put("preview_schedule", ok(call(client, "preview_schedule", Map.of("schedule_kind", "cron", "schedule_expr", "0 9 * * 1-5"))));
        answers.put("snooze_task", ok(call(client, "snooze_task", Map.of("task_id", taskId, "delay_seconds", 60))));
        Map<String, Object> ran = ok(call(client, "run_task_now", Map.of("task_id", taskId)));
        answers.put("run_task_now", ran);
        String runId = (String) OpenApiSchemas.map(ran.get("details")).get("run_id");
        answers.put("get_run", Eventually.until("run " + runId + " finished", () -> ok(call(client, "get_run", Map.of("run_id", runId))),
                r -> r.get("finished_at") != null));
        answers.put("list_runs", ok(call(client, "list_runs", Map.of("task_id", taskId, "include_errors", true))));
        answers.put("list_tools", ok(call(client, "list_tools", Map.of())));
        answers.put("publish_event", ok(call(client, "publish_event", Map.of("topic", "orders.created", "payload", Map.of("order_id", 17)))));
        answers.put("pause_task", ok(call(client, "pause_task", Map.of("task_id", taskId))));
        answers.put("resume_task", ok(call(client, "resume_task", Map.of("task_id", taskId))));
        answers.put("cancel_task", ok(call(client, "cancel_task", Map.of("task_id", taskId))));
        assertThat(answers.get("get_run")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("run_at", null).containsEntry("leased_until", null);
        answers.forEach((name, answer) -> assertThat(violations(tools.get(name).outputSchema(), answer))
                .as("%s answered %s", name, answer).isEmpty());
        assertThat(answers.keySet()).containsAll(tools.keySet().stream().filter(n -> !n.equals("retry_run")).toList());
    }

    @Test
    void schema_texts_say_what_the_api_does() {
        McpSyncClient client = connected(fullAgent("texts"));
        Map<String, McpSchema.Tool> tools = tools(client);
        // priority 1 runs first (docs/api.md)
        for (String name : List.of("create_task", "update_task")) {
            assertThat(property(tools.get(name), "priority").get("description")).as(name).asString()
                    .contains("1 (highest)").doesNotContain("1 (lowest)");
        }
        // the bounds the schema states are the validator's: 366 days (a leap year), not 365
        for (String name : List.of("create_task", "update_task")) {
            for (String field : List.of("dedupe_window_seconds", "misfire_grace_seconds")) {
                assertThat(((Number) property(tools.get(name), field).get("maximum")).longValue()).as(name + " " + field)
                        .isEqualTo(366L * 24 * 3600);
            }
        }
        Map<String, Object> leapYearWindow = new java.util.HashMap<>(weekdayMorningTask("a leap year's dedupe window"));
        leapYearWindow.put("dedupe_window_seconds", 366 * 24 * 3600);
        ok(call(client, "create_task", leapYearWindow));
        // the audit log keeps no bodies: a snooze's reason is echoed, not kept
        McpSchema.Tool snooze = tools.get("snooze_task");
        assertThat(snooze.description()).doesNotContain("kept for the audit log").contains("not stored");
        assertThat(property(snooze, "reason").get("description")).asString().doesNotContain("for the audit log").contains("not stored");
        String taskId = (String) ok(call(client, "create_task", weekdayMorningTask("snoozed with a reason"))).get("id");
        Map<String, Object> snoozed = ok(call(client, "snooze_task", Map.of("task_id", taskId, "delay_seconds", 60, "reason", "a dentist visit")));
        assertThat(OpenApiSchemas.map(snoozed.get("details"))).containsEntry("reason", "a dentist visit");
        assertThat(admin.get("/audit?subject_id=" + taskId + "&limit=100").expect(200).body()).contains("mcp:snooze_task")
                .doesNotContain("a dentist visit");

        // list_runs filters on created_at, both bounds inclusive
        McpSchema.Tool listRuns = tools.get("list_runs");
        assertThat(property(listRuns, "start_time").get("description")).asString().contains("created", "at or after").doesNotContain("scheduled");
        assertThat(property(listRuns, "end_time").get("description")).asString().contains("created", "at or before").doesNotContain("scheduled");
        String runId = (String) OpenApiSchemas.map(ok(call(client, "run_task_now", Map.of("task_id", taskId))).get("details")).get("run_id");
        Map<String, Object> run = Eventually.until("run " + runId + " finished", () -> ok(call(client, "get_run", Map.of("run_id", runId))),
                r -> r.get("finished_at") != null);
        String createdAt = (String) run.get("created_at");
        assertThat((List<?>) ok(call(client, "list_runs", Map.of("task_id", taskId, "start_time", createdAt, "end_time", createdAt)))
                .get("items")).hasSize(1);
    }

    @Test
    void every_tool_refuses_an_argument_it_does_not_take_and_list_filters_name_their_values() {
        McpSyncClient client = connected(agentToken("strict", "tasks:create", "tasks:read", "tasks:update", "tasks:delete",
                "runs:read", "runs:write", "tools:read", "events:publish"));
        Map<String, McpSchema.Tool> tools = tools(client);
        String taskId = (String) ok(call(client, "create_task", weekdayMorningTask("strict"))).get("id");
        String runId = (String) OpenApiSchemas.map(ok(call(client, "run_task_now", Map.of("task_id", taskId))).get("details")).get("run_id");

        for (OrdinautTool tool : OrdinautTool.ALL) {
            Map<String, Object> args = new LinkedHashMap<>();
            if (tool.idArgument() != null) {
                args.put(tool.idArgument(), tool.idArgument().equals("run_id") ? runId : taskId);
            }
            args.put("bogus_arg", 1);
            McpSchema.CallToolResult refused = call(client, tool.name(), args);
            assertThat(refused.isError()).as(tool.name()).isTrue();
            assertThat(text(refused)).as(tool.name()).contains("ValidationError", "Unknown field bogus_arg", "(field: bogus_arg)");
        }
        // the model's slip is named, rather than answered with every run
        assertThat(text(call(client, "list_runs", Map.of("taskId", taskId)))).contains("Unknown field taskId", "task_id", "(field: taskId)");
        assertThat(ok(call(client, "get_task", Map.of("task_id", taskId))).get("status")).isEqualTo("active");

        // a filter with a fixed set of values lists them, the same the twin accepts
        Map<String, List<String>> filters = Map.of("list_tasks", List.of("status", "schedule_kind"), "list_runs", List.of("status", "trigger"),
                "list_tools", List.of("transport"));
        filters.forEach((name, parameters) -> {
            for (String parameter : parameters) {
                List<?> values = (List<?>) property(tools.get(name), parameter).get("enum");
                assertThat(values).as("%s %s", name, parameter).isNotEmpty();
                McpSchema.CallToolResult refused = call(client, name, Map.of(parameter, "bogus"));
                assertThat(text(refused)).as("%s %s", name, parameter).contains(parameter + " must be one of "
                        + String.join(", ", values.stream().map(String::valueOf).toList()) + " (got \"bogus\")");
                for (Object value : values) {
                    ok(call(client, name, Map.of(parameter, value)));
                }
            }
        });
    }

    @Test
    void two_nodes_behind_one_address_answer_consecutive_calls() throws Exception {
        try (RoundRobinProxy proxy = new RoundRobinProxy(List.of(Nodes.port(nodeA), Nodes.port(nodeB)))) {
            McpSyncClient client = client(proxy.url(), fullAgent("balanced"));
            client.initialize();
            String taskId = (String) ok(call(client, "create_task", weekdayMorningTask("balanced"))).get("id");
            for (int i = 0; i < 3; i++) {
                assertThat(ok(call(client, "get_task", Map.of("task_id", taskId))).get("id")).isEqualTo(taskId);
                assertThat(ok(call(client, "list_tasks", Map.of("limit", 5))).get("total")).isEqualTo(1);
            }
            assertThat(new HashSet<>(proxy.served())).containsExactlyInAnyOrder(Nodes.port(nodeA), Nodes.port(nodeB));
        }
    }

    @Test
    void without_a_token_mcp_answers_401_pointing_to_the_resource_metadata() throws Exception {
        int port = Nodes.port(nodeA);
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(401);
        String metadata = "http://127.0.0.1:" + port + "/.well-known/oauth-protected-resource";
        assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValue("Bearer resource_metadata=\"" + metadata + "\"");

        Map<String, Object> resource = new Api(port, null).get("/.well-known/oauth-protected-resource").expect(200).map();
        assertThat(resource.get("resource")).isEqualTo("http://127.0.0.1:" + port + "/mcp");
        assertThat(resource.get("bearer_methods_supported")).isEqualTo(List.of("header"));

        assertThatThrownBy(() -> client("http://127.0.0.1:" + port, "ord_at_forged").initialize()).isInstanceOf(RuntimeException.class);
    }
}
