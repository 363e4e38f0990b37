package io.ordinaut.tool;

import static io.ordinaut.tool.ToolRuns.create;
import static io.ordinaut.tool.ToolRuns.httpTool;
import static io.ordinaut.tool.ToolRuns.pipeline;
import static io.ordinaut.tool.ToolRuns.runNow;
import static io.ordinaut.tool.ToolRuns.step;
import static io.ordinaut.tool.ToolRuns.task;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.AgentApi;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;

/**
 * The /tools API on a real node that rejects unknown tools and denies 10.0.0.0/8, with an MCP server
 * (MCP Java SDK) for discovery.
 */
@TestPropertySource(properties = {
        "ordinaut.tools.reject-unknown-tools=true",
        "ordinaut.tools.denied-cidrs=10.0.0.0/8",
        "ordinaut.tools.catalog-refresh-seconds=1",
        "ordinaut.tools.allow-loopback=true",
        "ORDINAUT_TOOL_API_TEST_TOKEN=s3cr3t-t0ken-value",
        // the node's own secrets, where an attacker would look for them
        "ORDINAUT_ADMIN_TOKEN=" + Api.ADMIN_TOKEN,
        "JAVA_TOOL_OPTIONS=-Dsecret.option=jt0-value"})
class ToolApiTest extends NodeTestSupport {

    private static final Map<String, Object> CITY_SCHEMA = Map.of("type", "object", "required", List.of("city"),
            "properties", Map.of("city", Map.of("type", "string"), "days", Map.of("type", "integer")));
    private static TestMcpServer mcp;

    @BeforeAll
    static void startMcpServer() throws Exception {
        mcp = new TestMcpServer()
                .serve("weather", List.of(
                        new TestMcpServer.ServedTool("forecast", "Forecast for a city", """
                                {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                                 "required": ["city"]}""", """
                                {"type": "object", "properties": {"temp": {"type": "number"}}}""",
                                args -> TestMcpServer.structured(Map.of("temp", 18.5))),
                        new TestMcpServer.ServedTool("alerts", "Weather alerts", "{\"type\": \"object\"}", null,
                                args -> TestMcpServer.structured(Map.of("alerts", List.of())))))
                .serve("retiring", List.of(
                        new TestMcpServer.ServedTool("current", "Stays", "{\"type\": \"object\"}", null,
                                args -> TestMcpServer.structured(Map.of("ok", true))),
                        new TestMcpServer.ServedTool("old", "Retired soon", "{\"type\": \"object\"}", null,
                                args -> TestMcpServer.structured(Map.of("ok", true)))))
                .start();
    }

    @AfterAll
    static void stopMcpServer() throws Exception {
        mcp.close();
    }

    @BeforeEach
    void emptyCatalog() {
        ToolRuns.clearTools(api);
    }

    @Test
    void tool_is_created_read_listed_changed_and_deleted() {
        Map<String, Object> body = httpTool("crm.list_leads", "http://127.0.0.1:9/leads",
                "description", "Leads from the CRM", "input_schema", CITY_SCHEMA, "scopes", List.of("crm:read"),
                "timeout_seconds", 12, "headers", Map.of("Authorization", "Bearer ${env:ORDINAUT_TOOL_API_TEST_TOKEN}", "X-Tenant", "acme"));

        Response created = api.post("/tools", body).expect(201);

        assertThat(created.map()).containsEntry("address", "crm.list_leads").containsEntry("transport", "http")
                .containsEntry("endpoint", "http://127.0.0.1:9/leads").containsEntry("description", "Leads from the CRM")
                .containsEntry("input_schema", CITY_SCHEMA).containsEntry("output_schema", null)
                .containsEntry("scopes", List.of("crm:read")).containsEntry("timeout_seconds", 12)
                .containsEntry("headers", Map.of("Authorization", "Bearer ${env:ORDINAUT_TOOL_API_TEST_TOKEN}", "X-Tenant", "acme"))
                .containsKeys("created_at", "updated_at");
        assertThat(api.get("/tools/crm.list_leads").expect(200).map()).isEqualTo(created.map());

        Response changed = api.put("/tools/crm.list_leads", Map.of("timeout_seconds", 5, "scopes", List.of("crm:read", "crm:list"),
                "description", "Open leads")).expect(200);
        assertThat(changed.map()).containsEntry("timeout_seconds", 5).containsEntry("scopes", List.of("crm:read", "crm:list"))
                .containsEntry("description", "Open leads").containsEntry("input_schema", CITY_SCHEMA)
                .containsEntry("created_at", created.get("created_at"));
        assertThat(Instant.parse(changed.string("updated_at"))).isAfterOrEqualTo(Instant.parse(created.string("updated_at")));

        Response deleted = api.delete("/tools/crm.list_leads").expect(200);
        assertThat(deleted.get("success")).isEqualTo(true);
        api.get("/tools/crm.list_leads").expect(404);
        api.delete("/tools/crm.list_leads").expect(404);
        api.put("/tools/crm.list_leads", Map.of("timeout_seconds", 5)).expect(404);
    }

    @Test
    void secret_header_values_are_never_stored_or_echoed() {
        api.post("/tools", httpTool("crm.secret", "http://127.0.0.1:9/x",
                "headers", Map.of("X-Api-Key", "${secret:ORDINAUT_TOOL_API_TEST_TOKEN}"))).expect(201);

        assertThat(api.get("/tools/crm.secret").body()).doesNotContain("s3cr3t-t0ken-value").contains("${secret:ORDINAUT_TOOL_API_TEST_TOKEN}");
        assertThat(api.get("/tools").body()).doesNotContain("s3cr3t-t0ken-value");
        assertThat(jdbc.sql("SELECT CAST(headers AS text) FROM tool WHERE address = 'crm.secret'").query(String.class).single())
                .doesNotContain("s3cr3t-t0ken-value");
    }

    @Test
    void the_advice_given_for_credentials_in_an_endpoint_can_be_followed() {
        for (String endpoint : List.of("http://u:p@127.0.0.1:9/echo", "http://127.0.0.1:9/echo?api_key=abc")) {
            String message = api.post("/tools", httpTool("crm.advised", endpoint)).expect(400).string("message");
            assertThat(message).as(endpoint).contains("${env:ORDINAUT_TOOL_", "only tools registered by an admin");
            java.util.regex.Matcher advice = java.util.regex.Pattern.compile("\\{\"([^\"]+)\": \"([^\"]+)\"}").matcher(message);
            assertThat(advice.find()).as(message).isTrue();

            // as the admin, exactly what the message suggests is accepted
            api.post("/tools", httpTool("crm.advised", "http://127.0.0.1:9/echo", "headers", Map.of(advice.group(1), advice.group(2))))
                    .expect(201);
            api.delete("/tools/crm.advised").expect(200);
        }
    }

    @Test
    void an_endpoint_whose_host_is_a_short_form_ipv4_address_is_refused_saying_so() {
        Response r = api.post("/tools", httpTool("crm.short", "http://127.1:9/echo")).expect(400);
        assertThat(r.details()).containsEntry("field", "endpoint");
        assertThat(r.string("message")).contains("its host '127.1' is an IPv4 address in a short or hexadecimal form");
    }

    @Test
    void credential_like_headers_must_name_a_variable_while_ordinary_headers_may_hold_values() {
        for (String name : List.of("X-JWT", "X-Bearer", "X-Access", "X-Access-Token", "X-Sig", "X-Signature", "X-Csrf",
                "X-Csrf-Token", "X-XSRF-TOKEN", "X-Client-Cert", "X-Session-Id", "X-Credential", "X-Passwd", "X-Pwd",
                "X-Password", "X-Secret", "X-Auth", "Api-Key", "Private-Token", "X-Amz-Security-Token")) {
            Response refused = api.post("/tools", httpTool("crm.literal", "http://127.0.0.1:9/x", "headers", Map.of(name, "abc123"))).expect(400);
            assertThat(refused.details()).as(name).containsEntry("field", "headers." + name);
            assertThat(refused.string("message")).as(name).contains("must name them");
            api.post("/tools", httpTool("crm.named", "http://127.0.0.1:9/x", "headers",
                    Map.of(name, "${env:ORDINAUT_TOOL_API_TEST_TOKEN}"))).expect(201);
            api.delete("/tools/crm.named").expect(200);
        }
        // a response header has no place in a request, with a value or a reference
        for (String value : List.of("sid=abc", "${env:ORDINAUT_TOOL_API_TEST_TOKEN}")) {
            Response setCookie = api.post("/tools", httpTool("crm.literal", "http://127.0.0.1:9/x", "headers",
                    Map.of("Set-Cookie", value))).expect(400);
            assertThat(setCookie.details()).containsEntry("field", "headers.Set-Cookie");
            assertThat(setCookie.string("message")).contains("response header");
        }
        Map<String, Object> ordinary = new LinkedHashMap<>();
        for (String name : List.of("User-Agent", "X-Request-Id", "X-Tenant", "Accept-Language", "X-Correlation-Id", "If-None-Match",
                "X-Forwarded-For", "X-Api-Version", "Cache-Control", "X-Design-Id", "X-Concert-Venue", "Origin", "Referer")) {
            ordinary.put(name, "value-1");
        }
        api.post("/tools", httpTool("crm.ordinary", "http://127.0.0.1:9/x", "headers", ordinary)).expect(201);
    }

    @Test
    void duplicate_address_is_a_conflict() {
        api.post("/tools", httpTool("crm.dup", "http://127.0.0.1:9/x")).expect(201);

        Response again = api.post("/tools", httpTool("crm.dup", "http://127.0.0.1:9/y")).expect(409);

        assertThat(again.get("error")).isEqualTo("Conflict");
        assertThat(api.get("/tools/crm.dup").string("endpoint")).isEqualTo("http://127.0.0.1:9/x");
    }

    @Test
    void list_filters_by_transport_and_prefix_and_pages() {
        api.post("/tools", httpTool("crm.a", "http://127.0.0.1:9/a")).expect(201);
        api.post("/tools", httpTool("crm.b", "http://127.0.0.1:9/b")).expect(201);
        api.post("/tools", Map.of("address", "mail.send", "transport", "simulate")).expect(201);

        Response page = api.get("/tools?prefix=crm.&limit=1").expect(200);
        assertThat(page.items()).extracting(t -> t.get("address")).containsExactly("crm.a");
        assertThat(page.map()).containsEntry("total", 2).containsEntry("limit", 1).containsEntry("offset", 0)
                .containsEntry("has_more", true);
        assertThat(api.get("/tools?prefix=crm.&limit=1&offset=1").expect(200).map()).containsEntry("has_more", false);
        assertThat(api.get("/tools?transport=simulate").expect(200).items()).extracting(t -> t.get("address"))
                .containsExactly("mail.send");
        assertThat(api.get("/tools?transport=ftp").expect(400).details()).containsEntry("field", "transport");
    }

    static List<Object[]> badTools() {
        Map<String, Object> ok = httpTool("crm.ok", "http://127.0.0.1:9/ok");
        return List.of(
                new Object[] {"missing address", without(ok, "address"), "address"},
                new Object[] {"address without namespace", with(ok, "address", "leads"), "address"},
                new Object[] {"address with a space", with(ok, "address", "crm.list leads"), "address"},
                new Object[] {"address not a string", with(ok, "address", 7), "address"},
                new Object[] {"missing transport", without(ok, "transport"), "transport"},
                new Object[] {"unknown transport", with(ok, "transport", "grpc"), "transport"},
                new Object[] {"http without endpoint", without(ok, "endpoint"), "endpoint"},
                new Object[] {"endpoint not a URL", with(ok, "endpoint", "not a url"), "endpoint"},
                new Object[] {"endpoint not http", with(ok, "endpoint", "ftp://127.0.0.1/x"), "endpoint"},
                new Object[] {"endpoint with credentials", with(ok, "endpoint", "http://user:pw@127.0.0.1/x"), "endpoint"},
                new Object[] {"endpoint with a key in the query", with(ok, "endpoint", "http://127.0.0.1/x?city=Rome&api_key=abc"), "endpoint"},
                new Object[] {"simulated tool with endpoint", with(ok, "transport", "simulate"), "endpoint"},
                new Object[] {"cloud metadata endpoint", with(ok, "endpoint", "http://169.254.169.254/latest/meta-data"), "endpoint"},
                new Object[] {"link-local endpoint", with(ok, "endpoint", "http://169.254.10.1/x"), "endpoint"},
                new Object[] {"link-local IPv6 endpoint with a zone id", with(ok, "endpoint", "http://[fe80::fc:ff:fe00:1%25eth0]:8212/"), "endpoint"},
                new Object[] {"IPv6 endpoint with a zone id", with(ok, "endpoint", "http://[fd12::1%eth0]/x"), "endpoint"},
                new Object[] {"metadata host name", with(ok, "endpoint", "http://metadata.google.internal/x"), "endpoint"},
                new Object[] {"denied network", with(ok, "endpoint", "http://10.1.2.3/x"), "endpoint"},
                new Object[] {"input_schema not an object", with(ok, "input_schema", "object"), "input_schema"},
                new Object[] {"input_schema with unknown type", with(ok, "input_schema", Map.of("type", "strin")), "input_schema"},
                new Object[] {"output_schema with bad required", with(ok, "output_schema", Map.of("required", "city")), "output_schema"},
                new Object[] {"unknown $schema", with(ok, "input_schema", Map.of("$schema", "https://example.com/s")), "input_schema"},
                new Object[] {"timeout zero", with(ok, "timeout_seconds", 0), "timeout_seconds"},
                new Object[] {"timeout too long", with(ok, "timeout_seconds", 3601), "timeout_seconds"},
                new Object[] {"timeout not a number", with(ok, "timeout_seconds", "ten"), "timeout_seconds"},
                new Object[] {"scopes not an array", with(ok, "scopes", "crm:read"), "scopes"},
                new Object[] {"scope with a space", with(ok, "scopes", List.of("crm read")), "scopes"},
                new Object[] {"headers not an object", with(ok, "headers", List.of("X-A")), "headers"},
                new Object[] {"header value not a string", with(ok, "headers", Map.of("X-Count", 3)), "headers.X-Count"},
                new Object[] {"literal bearer token", with(ok, "headers", Map.of("Authorization", "Bearer abc123")), "headers.Authorization"},
                new Object[] {"literal api key", with(ok, "headers", Map.of("X-Api-Key", "abc123")), "headers.X-Api-Key"},
                new Object[] {"malformed reference", with(ok, "headers", Map.of("Authorization", "Bearer ${env:}")), "headers.Authorization"},
                new Object[] {"reserved header", with(ok, "headers", Map.of("Host", "example.com")), "headers.Host"},
                new Object[] {"header naming the database password", with(ok, "headers",
                        Map.of("X-Db", "${env:ORDINAUT_DB_PASSWORD}")), "headers.X-Db"},
                new Object[] {"bad header name", with(ok, "headers", Map.of("X Bad", "v")), "headers.X Bad"},
                new Object[] {"unknown field", with(ok, "secret", "x"), "secret"});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTools")
    void invalid_tool_is_refused_naming_the_field(String name, Map<String, Object> body, String field) {
        Response r = api.post("/tools", body).expect(400);

        assertThat(r.get("error")).isEqualTo("ValidationError");
        assertThat(r.details()).containsEntry("field", field);
        assertThat(r.map()).containsKeys("message", "request_id", "timestamp");
        api.get("/tools/" + (body.get("address") instanceof String a && a.contains(".") && !a.contains(" ") ? a : "crm.ok")).expect(404);
    }

    @Test
    void change_is_validated_like_creation() {
        api.post("/tools", httpTool("crm.c", "http://127.0.0.1:9/c")).expect(201);

        assertThat(api.put("/tools/crm.c", Map.of("endpoint", "http://169.254.169.254/")).expect(400).details())
                .containsEntry("field", "endpoint");
        assertThat(api.put("/tools/crm.c", Map.of("address", "crm.d")).expect(400).details()).containsEntry("field", "address");
        assertThat(api.put("/tools/crm.c", Map.of("transport", "simulate")).expect(200).map()).containsEntry("endpoint", null);
        assertThat(api.put("/tools/crm.c", Map.of("transport", "mcp")).expect(400).details()).containsEntry("field", "endpoint");
        api.get("/tools/no-dot").expect(404);
    }

    @Test
    void unknown_tools_are_refused_at_task_creation_when_configured() {
        Map<String, Object> task = task("Uses crm.update", pipeline(Map.of(),
                List.of(step("update", "crm.update", Map.of("id", 1)))));

        Response refused = api.post("/tasks", task).expect(400);
        assertThat(refused.details()).containsEntry("field", "payload.pipeline[0].uses");

        api.post("/tools", Map.of("address", "crm.update", "transport", "simulate")).expect(201);
        api.post("/tasks", task).expect(201);
    }

    @Test
    void tool_registered_by_another_node_is_seen_within_the_refresh_interval() {
        // another node's write: straight into the table, bypassing this node's copy of the catalog
        jdbc.sql("""
                INSERT INTO tool (address, transport, timeout_seconds, created_at, updated_at)
                VALUES ('other.node_tool', 'simulate', 30, now(), now())""").update();
        Map<String, Object> task = task("Uses other.node_tool", pipeline(Map.of(),
                List.of(step("s", "other.node_tool", Map.of()))));

        // refreshed each second; the margin is for a loaded machine (a node that never refreshes never accepts it)
        Eventually.await("task using the other node's tool accepted", Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> api.post("/tasks", task).status(), status -> status == 201);
    }

    @Test
    void task_is_refused_when_its_agent_lacks_a_tool_scope() {
        UUID reader = UUID.randomUUID();
        jdbc.sql("INSERT INTO agent (id, name, scopes) VALUES (:id, :name, '{crm:read}')")
                .param("id", reader).param("name", "reader-" + reader).update();
        api.post("/tools", httpTool("crm.read", "http://127.0.0.1:9/r", "scopes", List.of("crm:read"))).expect(201);
        api.post("/tools", httpTool("crm.write", "http://127.0.0.1:9/w", "scopes", List.of("crm:read", "crm:write"))).expect(201);
        Map<String, Object> readAndWrite = task("Read then write", pipeline(Map.of(), List.of(
                step("read", "crm.read", Map.of()),
                step("write", "crm.write", Map.of()))));

        Response refused = api.post("/tasks", with(readAndWrite, "created_by", reader.toString())).expect(400);

        assertThat(refused.details()).containsEntry("field", "payload.pipeline[1].uses")
                .containsEntry("missing_scopes", List.of("crm:write"));
        assertThat(refused.string("message")).contains("crm.write").contains("crm:write");
        Map<String, Object> readOnly = task("Read", pipeline(Map.of(), List.of(step("read", "crm.read", Map.of()))));
        api.post("/tasks", with(readOnly, "created_by", reader.toString())).expect(201);
        // the system agent holds admin, which implies every scope
        api.post("/tasks", readAndWrite).expect(201);
    }

    @Test
    void discover_registers_an_mcp_servers_tools_with_their_schemas() {
        Response discovered = api.post("/tools/discover", Map.of("server_url", mcp.url("weather"), "prefix", "weather-mcp",
                "scopes", List.of("weather:read"), "headers", Map.of("Authorization", "Bearer ${env:ORDINAUT_TOOL_API_TEST_TOKEN}")))
                .expect(200);

        assertThat(discovered.items()).extracting(t -> t.get("address"))
                .containsExactlyInAnyOrder("weather-mcp.forecast", "weather-mcp.alerts");
        assertThat(discovered.map()).containsEntry("created", 2).containsEntry("updated", 0);
        Map<String, Object> forecast = api.get("/tools/weather-mcp.forecast").expect(200).map();
        assertThat(forecast).containsEntry("transport", "mcp").containsEntry("endpoint", mcp.url("weather"))
                .containsEntry("description", "Forecast for a city").containsEntry("scopes", List.of("weather:read"))
                .containsEntry("headers", Map.of("Authorization", "Bearer ${env:ORDINAUT_TOOL_API_TEST_TOKEN}"));
        assertThat(forecast.get("input_schema")).isEqualTo(Map.of("type", "object", "required", List.of("city"),
                "properties", Map.of("city", Map.of("type", "string"), "days", Map.of("type", "integer"))));
        assertThat(api.get("/tools?prefix=weather-mcp.").expect(200).map()).containsEntry("total", 2);

        Response again = api.post("/tools/discover", Map.of("server_url", mcp.url("weather"), "prefix", "weather-mcp")).expect(200);
        assertThat(again.map()).containsEntry("created", 0).containsEntry("updated", 2);
    }

    @Test
    void discover_refuses_bad_requests_and_reports_unreachable_servers() {
        assertThat(api.post("/tools/discover", Map.of("server_url", "http://169.254.169.254/mcp", "prefix", "meta"))
                .expect(400).details()).containsEntry("field", "server_url");
        Response zoned = api.post("/tools/discover", Map.of("server_url", "http://[fe80::fc:ff:fe00:1%25eth0]:8212/mcp", "prefix", "zone"));
        assertThat(zoned.status()).as(zoned.body()).isEqualTo(400);
        assertThat(zoned.details()).containsEntry("field", "server_url");
        assertThat(zoned.string("message")).contains("egress policy", "zone id");
        assertThat(api.post("/tools/discover", Map.of("server_url", mcp.url("weather"))).expect(400).details())
                .containsEntry("field", "prefix");
        assertThat(api.post("/tools/discover", Map.of("server_url", mcp.url("weather"), "prefix", "a.b")).expect(400).details())
                .containsEntry("field", "prefix");
        assertThat(api.post("/tools/discover", Map.of("prefix", "x")).expect(400).details()).containsEntry("field", "server_url");

        Response unreachable = api.post("/tools/discover", Map.of("server_url", "http://127.0.0.1:9/mcp", "prefix", "gone"))
                .expect(502);
        assertThat(unreachable.map()).containsKeys("error", "message", "request_id").containsEntry("error", "ToolServerError");
        assertThat(unreachable.string("message")).startsWith("MCP server http://127.0.0.1:9/mcp could not be listed: the server could not be reached: ")
                .contains("Connection refused").doesNotContain("java.", "Exception", "explicit API call");
        assertThat(api.get("/tools?prefix=gone.").expect(200).map()).containsEntry("total", 0);
    }

    @Test
    void discovering_a_web_page_says_it_is_no_mcp_server() throws Exception {
        try (TestHttpServer web = new TestHttpServer()) {
            web.on("/", new TestHttpServer.Answer(200, "<html>welcome</html>", Map.of("Content-Type", "text/html"), 0));

            Response page = api.post("/tools/discover", Map.of("server_url", web.url("/"), "prefix", "page")).expect(502);

            assertThat(page.string("error")).isEqualTo("ToolServerError");
            assertThat(page.string("message")).isEqualTo("MCP server " + web.url("/") + " could not be listed: the server did not "
                    + "complete the MCP initialize handshake: Unknown media type returned: text/html");
        }
    }


    @Test
    void an_agent_with_tools_write_cannot_carry_the_admin_token_or_other_node_settings_away_through_headers() throws Exception {
        AgentApi attacker = api.newAgent("tools:write", "tools:read", "tasks:create", "runs:write", "runs:read");
        try (TestHttpServer collector = new TestHttpServer()) {
            collector.on("/collect", TestHttpServer.Answer.json(200, "{}"));
            for (String header : List.of("Bearer ${env:ORDINAUT_ADMIN_TOKEN}", "Bearer ${secret:ORDINAUT_ADMIN_TOKEN}",
                    "Bearer ${env:JAVA_TOOL_OPTIONS}", "Bearer ${env:SPRING_DATASOURCE_PASSWORD}", "Bearer ${env:PATH}")) {
                Response refused = attacker.api().post("/tools", httpTool("evil.grab", collector.url("/collect"),
                        "headers", Map.of("Authorization", header))).expect(400);

                assertThat(refused.details()).as(header).containsEntry("field", "headers.Authorization");
                assertThat(refused.string("message")).as(header).contains("ordinaut.tools.secret-env-prefixes");
            }
            attacker.api().post("/tools", httpTool("evil.grab", collector.url("/collect"))).expect(201);
            assertThat(attacker.api().put("/tools/evil.grab", Map.of("headers",
                    Map.of("Authorization", "Bearer ${env:ORDINAUT_ADMIN_TOKEN}"))).expect(400).string("message"))
                    .contains("ordinaut.tools.secret-env-prefixes");
            assertThat(attacker.api().post("/tools/discover", Map.of("server_url", mcp.url("weather"), "prefix", "evil",
                    "headers", Map.of("Authorization", "Bearer ${env:ORDINAUT_ADMIN_TOKEN}"))).expect(400).string("message"))
                    .contains("ordinaut.tools.secret-env-prefixes");

            // a row that names the token anyway (written before the rule, or by hand) is refused at call time
            jdbc.sql("UPDATE tool SET headers = '{\"Authorization\": \"Bearer ${env:ORDINAUT_ADMIN_TOKEN}\"}' WHERE address = 'evil.grab'")
                    .update();
            api.post("/tools", httpTool("evil.touch", "http://127.0.0.1:9/x")).expect(201); // reloads this node's copy
            String taskId = create(attacker.api(), task("Grab", pipeline(Map.of(), List.of(step("grab", "evil.grab", Map.of())))));
            Map<String, Object> run = runNow(attacker.api(), taskId);

            assertThat(run.get("status")).isEqualTo("failed");
            // refused before its prefix is even looked at: a non-admin's tool reads no secret at all
            assertThat(String.valueOf(run.get("error"))).contains("only tools registered by an admin may read");
            assertThat(collector.requests()).isEmpty();
            assertThat(run.toString()).doesNotContain(Api.ADMIN_TOKEN);
        }
    }

    @Test
    void only_the_owner_or_an_admin_may_change_or_delete_a_tool() {
        AgentApi alice = api.newAgent("tools:write", "tools:read");
        AgentApi bob = api.newAgent("tools:write", "tools:read");
        Response created = alice.api().post("/tools", httpTool("crm.owned", "http://127.0.0.1:9/a")).expect(201);
        assertThat(created.map()).containsEntry("created_by", alice.id()).containsEntry("gone", false);

        bob.api().get("/tools/crm.owned").expect(404);
        bob.api().put("/tools/crm.owned", Map.of("endpoint", "http://127.0.0.1:9/bob")).expect(404);
        bob.api().delete("/tools/crm.owned").expect(404);
        assertThat(api.get("/tools/crm.owned").string("endpoint")).isEqualTo("http://127.0.0.1:9/a");

        alice.api().put("/tools/crm.owned", Map.of("description", "mine")).expect(200);
        assertThat(api.put("/tools/crm.owned", Map.of("description", "admin's")).expect(200).map())
                .containsEntry("created_by", alice.id());
        alice.api().delete("/tools/crm.owned").expect(200);
        api.get("/tools/crm.owned").expect(404);
    }

    @Test
    void discover_never_overwrites_a_tool_another_agent_owns() {
        AgentApi alice = api.newAgent("tools:write", "tools:read");
        AgentApi bob = api.newAgent("tools:write", "tools:read");
        alice.api().post("/tools/discover", Map.of("server_url", mcp.url("weather"), "prefix", "shared",
                "scopes", List.of("weather:read"))).expect(200);

        Response hijack = bob.api().post("/tools/discover", Map.of("server_url", mcp.url("weather"), "prefix", "shared",
                "headers", Map.of("X-Bob", "1"))).expect(200);

        assertThat(hijack.map()).containsEntry("created", 0).containsEntry("updated", 0);
        assertThat(hijack.map().get("skipped").toString()).contains("shared.forecast").contains("another agent");
        Map<String, Object> forecast = api.get("/tools/shared.forecast").expect(200).map();
        assertThat(forecast).containsEntry("created_by", alice.id()).containsEntry("headers", Map.of())
                .containsEntry("scopes", List.of("weather:read"));
        // an admin may re-discover over it; the owner stays
        api.post("/tools/discover", Map.of("server_url", mcp.url("weather"), "prefix", "shared")).expect(200);
        assertThat(api.get("/tools/shared.forecast").expect(200).map()).containsEntry("created_by", alice.id());
    }

    @Test
    void discover_marks_tools_the_server_no_longer_lists_as_gone_and_runs_of_them_fail_clearly() {
        String server = mcp.url("retiring");
        api.post("/tools/discover", Map.of("server_url", server, "prefix", "ret")).expect(200);
        String taskId = create(api, task("Uses old", pipeline(Map.of(), List.of(step("old", "ret.old", Map.of())))));
        mcp.remove("retiring", "old");

        Response again = api.post("/tools/discover", Map.of("server_url", server, "prefix", "ret")).expect(200);

        assertThat(again.map()).containsEntry("gone", List.of("ret.old")).containsEntry("updated", 1);
        Map<String, Object> old = api.get("/tools/ret.old").expect(200).map();
        assertThat(old).containsEntry("gone", true);
        assertThat(old.get("gone_at")).isNotNull();
        assertThat(api.get("/tools/ret.current").expect(200).map()).containsEntry("gone", false);
        Map<String, Object> run = runNow(api, taskId);
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat(String.valueOf(run.get("error"))).contains("ret.old").contains("is gone");
        Response refused = api.post("/tasks", task("New use of old", pipeline(Map.of(), List.of(step("old", "ret.old", Map.of())))))
                .expect(400);
        assertThat(refused.details()).containsEntry("field", "payload.pipeline[0].uses");
    }

    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(base);
        copy.put(key, value);
        return copy;
    }

    private static Map<String, Object> without(Map<String, Object> base, String key) {
        Map<String, Object> copy = new HashMap<>(base);
        copy.remove(key);
        return copy;
    }
}
