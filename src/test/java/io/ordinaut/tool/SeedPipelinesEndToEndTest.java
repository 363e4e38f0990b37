package io.ordinaut.tool;

import static io.ordinaut.tool.ToolRuns.httpTool;
import static io.ordinaut.tool.ToolRuns.runNow;
import static io.ordinaut.tool.ToolRuns.seed;
import static io.ordinaut.tool.ToolRuns.statuses;
import static io.ordinaut.tool.ToolRuns.steps;
import static io.ordinaut.tool.ToolRuns.task;
import static io.ordinaut.tool.ToolRuns.traceOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.NodeTestSupport;
import io.ordinaut.tool.TestHttpServer.Answer;
import io.ordinaut.tool.TestMcpServer.ServedTool;
import tools.jackson.databind.json.JsonMapper;

/**
 * The four seed pipelines (src/test/resources/pipelines) as tasks on a real node, run with run_now:
 * first simulated (nothing registered), then with every tool registered over REST against a real HTTP
 * server and real MCP servers (MCP Java SDK), checking what the tools received and what the runs recorded.
 */
@TestPropertySource(properties = {"ORDINAUT_TOOL_SEED_E2E_LLM_TOKEN=llm-t0ken-4-e2e", "ordinaut.tools.allow-loopback=true"})
class SeedPipelinesEndToEndTest extends NodeTestSupport {

    private static final JsonMapper JSON = JsonMapper.shared();
    private static final List<Map<String, Object>> EVENTS = List.of(
            Map.of("title", "Standup", "start", "09:30"), Map.of("title", "Design review", "start", "14:00"));
    private static final List<Map<String, Object>> LEADS = List.of(
            Map.of("email", "ana@example.com"), Map.of("email", "bo@example.com"));
    private static final List<Map<String, Object>> QUOTES = List.of(
            Map.of("symbol", "AAPL", "price", 190.5), Map.of("symbol", "MSFT", "price", 410.25),
            Map.of("symbol", "NVDA", "price", 880.75));
    private static final Map<String, Object> METRICS = Map.of(
            "change_pct", Map.of("AAPL", 1.25, "MSFT", -0.5, "NVDA", 3.0),
            "volatility", Map.of("AAPL", 0.21, "MSFT", 0.18, "NVDA", 0.44));
    private static final String REPORT_URL = "https://docs.example.com/reports/daily";
    private static final String SUMMARY = "Good morning! Standup at 09:30, then a design review. Sunny, 18.5 C.";

    private static TestHttpServer http;
    private static TestMcpServer mcp;

    @BeforeAll
    static void startToolServers() throws Exception {
        http = new TestHttpServer()
                .on("/llm/summarize", Answer.json(200, "{\"text\": \"" + SUMMARY + "\"}"))
                .on("/crm/leads", (request, previous) -> previous == 0
                        ? Answer.json(503, "{\"error\": \"CRM is warming up\"}")
                        : Answer.json(200, JSON.writeValueAsString(Map.of("data", LEADS))))
                .on("/email/send", Answer.json(200, "{\"id\": \"msg-1\", \"status\": \"queued\"}"))
                .on("/http/check", Answer.json(422, "{\"error\": \"GET checks need a probe agent\"}"))
                .on("/slack/post", Answer.json(200, "{\"ok\": true, \"ts\": \"1700000000.000100\"}"))
                .on("/market/quotes", Answer.json(200, JSON.writeValueAsString(Map.of("data", QUOTES))))
                .on("/finance/metrics", Answer.json(200, JSON.writeValueAsString(METRICS)))
                .on("/docs/report", Answer.json(200, "{\"url\": \"" + REPORT_URL + "\"}"));
        mcp = new TestMcpServer()
                .serve("calendar", List.of(new ServedTool("list_events", "Events of a calendar between two instants", """
                        {"type": "object", "required": ["calendar_id", "time_min", "time_max"],
                         "properties": {"calendar_id": {"type": "string"}, "date": {"type": "string"},
                                        "time_min": {"type": "string"}, "time_max": {"type": "string"}}}""", """
                        {"type": "object", "properties": {"events": {"type": "array"}}}""",
                        args -> TestMcpServer.structured(Map.of("events", EVENTS)))))
                .serve("weather", List.of(new ServedTool("forecast", "Forecast for a city", """
                        {"type": "object", "required": ["city"],
                         "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}}}""", null,
                        args -> TestMcpServer.structured(Map.of("summary", "Sunny, 18.5 C", "temp", 18.5)))))
                .serve("telegram", List.of(new ServedTool("send_message", "Sends a Telegram message", """
                        {"type": "object", "required": ["chat_id", "text"],
                         "properties": {"chat_id": {"type": "string"}, "text": {"type": "string", "minLength": 1}}}""", null,
                        args -> TestMcpServer.structured(Map.of("ok", true, "message_id", 42)))))
                .start();
    }

    @AfterAll
    static void stopToolServers() throws Exception {
        http.close();
        mcp.close();
    }

    @BeforeEach
    void emptyCatalog() {
        ToolRuns.clearTools(api);
    }

    @Test
    void seed_pipelines_run_simulated_when_no_tool_is_registered() {
        int httpRequests = http.requests().size();
        int mcpCalls = mcp.calls().size();

        Map<String, Object> briefing = runSeed("morning-briefing");
        assertSucceeded(briefing);
        assertThat(statuses(briefing)).containsExactly("ok", "ok", "ok", "ok");
        assertThat(steps(briefing)).containsOnlyKeys("calendar", "weather", "summary", "notify");
        assertThat(steps(briefing).get("weather")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("status", "simulated").containsEntry("tool_address", "weather-mcp.forecast")
                .containsEntry("input_args", Map.of("city", "Chisinau", "days", 1));
        assertThat(inputOf(briefing, "notify")).isEqualTo(Map.of("chat_id", "123456789",
                "text", "Simulated execution of llm.summarize"));

        Map<String, Object> crm = runSeed("crm-follow-up");
        assertSucceeded(crm);
        assertThat(statuses(crm)).containsExactly("ok", "skipped");

        Map<String, Object> monitor = runSeed("infrastructure-monitor");
        assertSucceeded(monitor);
        assertThat(statuses(monitor)).containsExactly("ok", "ok");
        assertThat((String) inputOf(monitor, "alert").get("text"))
                .startsWith("https://status.example.com/health looks unhealthy (status: simulated) at ");

        Map<String, Object> report = runSeed("financial-report");
        assertSucceeded(report);
        assertThat(statuses(report)).containsExactly("ok", "ok", "ok", "ok");
        assertThat(inputOf(report, "send")).containsEntry("to", "cfo@example.com")
                .containsEntry("body", "The report is ready: Simulated execution of docs.create_report");

        assertThat(http.requests()).hasSize(httpRequests);
        assertThat(mcp.calls()).hasSize(mcpCalls);
    }

    @Test
    void seed_pipelines_call_tools_registered_over_http_and_mcp() {
        registerTools();

        Map<String, Object> briefing = runSeed("morning-briefing");
        Map<String, Object> crm = runSeed("crm-follow-up");
        Map<String, Object> monitor = runSeed("infrastructure-monitor");
        Map<String, Object> report = runSeed("financial-report");

        // morning briefing: calendar and weather over MCP, summary over HTTP, notification over MCP
        assertSucceeded(briefing);
        assertThat(statuses(briefing)).containsExactly("ok", "ok", "ok", "ok");
        TestMcpServer.Call calendar = mcp.calls("calendar", "list_events").get(0);
        Instant timeMin = Instant.parse((String) calendar.arguments().get("time_min"));
        assertThat(calendar.arguments()).containsEntry("calendar_id", "primary")
                .containsEntry("date", LocalDate.ofInstant(timeMin, ZoneOffset.UTC).toString())
                .containsEntry("time_max", timeMin.plus(Duration.ofHours(24)).toString());
        assertThat(timeMin).isBetween(Instant.parse((String) briefing.get("started_at")).minusSeconds(1),
                Instant.parse((String) briefing.get("finished_at")));
        TestMcpServer.Call weather = mcp.calls("weather", "forecast").get(0);
        assertThat(weather.arguments()).isEqualTo(Map.of("city", "Chisinau", "days", 1));
        assertThat(weather.meta()).containsEntry(McpTransport.META_IDEMPOTENCY_KEY, idempotencyKey(briefing, "weather"))
                .containsEntry(McpTransport.META_RUN_ID, briefing.get("id"));
        TestHttpServer.Request summarize = http.requests("/llm/summarize").get(0);
        assertThat(summarize.header("Authorization")).isEqualTo("Bearer llm-t0ken-4-e2e");
        assertThat(summarize.header("Idempotency-Key")).isEqualTo(idempotencyKey(briefing, "summarize"));
        assertThat(body(summarize)).containsEntry("instruction", "Write a short, friendly morning briefing.")
                .containsEntry("events", EVENTS)
                .containsEntry("weather", Map.of("summary", "Sunny, 18.5 C", "temp", 18.5))
                .containsEntry("prompt", "Briefing for Chisinau on " + calendar.arguments().get("date") + ". Calendar: "
                        + JSON.writeValueAsString(EVENTS) + ". Weather: Sunny, 18.5 C");
        assertThat(mcp.calls("telegram", "send_message").get(0).arguments())
                .isEqualTo(Map.of("chat_id", "123456789", "text", SUMMARY));
        assertThat(steps(briefing)).isEqualTo(Map.of(
                "calendar", Map.of("events", EVENTS),
                "weather", Map.of("summary", "Sunny, 18.5 C", "temp", 18.5),
                "summary", Map.of("text", SUMMARY),
                "notify", Map.of("ok", true, "message_id", 42)));

        // CRM follow-up: the lead list answers 503 once; the retry carries the same idempotency key
        assertSucceeded(crm);
        assertThat(statuses(crm)).containsExactly("ok", "ok");
        assertThat(traceOf(crm, "leads")).containsEntry("attempts", 2);
        List<TestHttpServer.Request> leadRequests = http.requests("/crm/leads");
        assertThat(leadRequests).hasSize(2);
        assertThat(leadRequests).extracting(r -> r.header("Idempotency-Key"))
                .containsExactly(idempotencyKey(crm, "leads"), idempotencyKey(crm, "leads"));
        assertThat(leadRequests.get(0).body()).isEqualTo(leadRequests.get(1).body());
        Map<String, Object> leadQuery = body(leadRequests.get(0));
        assertThat(leadQuery).containsEntry("status", "new").containsEntry("limit", 50);
        String createdAfter = (String) leadQuery.get("created_after");
        assertThat(Instant.parse(createdAfter)).isBetween(
                Instant.parse((String) crm.get("started_at")).minus(Duration.ofHours(24)).minusSeconds(1),
                Instant.parse((String) crm.get("finished_at")).minus(Duration.ofHours(24)));
        Map<String, Object> followUp = body(emailTo(List.of("ana@example.com", "bo@example.com")));
        assertThat(followUp).isEqualTo(Map.of("from", "sales@example.com", "to", List.of("ana@example.com", "bo@example.com"),
                "subject", "Thanks for your interest",
                "body", "Following up on 2 new leads since " + createdAfter + "."));
        assertThat(steps(crm)).isEqualTo(Map.of("leads", Map.of("data", LEADS),
                "follow_up", Map.of("id", "msg-1", "status", "queued")));

        // infrastructure monitor: the checker answers 422 (not retried); continue_on_error lets the alert go out
        assertSucceeded(monitor);
        assertThat(statuses(monitor)).containsExactly("failed", "ok");
        assertThat(traceOf(monitor, "check")).containsEntry("attempts", 1);
        assertThat((String) traceOf(monitor, "check").get("error")).contains("HTTP 422").contains("probe agent");
        assertThat(http.requests("/http/check")).hasSize(1);
        assertThat(body(http.requests("/http/check").get(0))).isEqualTo(Map.of(
                "url", "https://status.example.com/health", "method", "GET", "expect_status", 200));
        Map<String, Object> alert = body(http.requests("/slack/post").get(0));
        assertThat(alert).containsEntry("channel", "#ops-alerts");
        assertThat((String) alert.get("text")).matches(
                "https://status\\.example\\.com/health looks unhealthy \\(status: unreachable\\) at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(steps(monitor)).isEqualTo(Map.of("alert", Map.of("ok", true, "ts", "1700000000.000100")));

        // financial report: quotes → metrics → report → e-mail, each fed by the previous output
        assertSucceeded(report);
        assertThat(statuses(report)).containsExactly("ok", "ok", "ok", "ok");
        String today = (String) body(http.requests("/market/quotes").get(0)).get("date");
        assertThat(LocalDate.parse(today)).isBetween(LocalDate.now(ZoneOffset.UTC).minusDays(1), LocalDate.now(ZoneOffset.UTC));
        assertThat(body(http.requests("/market/quotes").get(0))).isEqualTo(Map.of("symbols", List.of("AAPL", "MSFT", "NVDA"),
                "date", today));
        assertThat(body(http.requests("/finance/metrics").get(0))).isEqualTo(Map.of("quotes", QUOTES,
                "metrics", List.of("change_pct", "volatility")));
        assertThat(body(http.requests("/docs/report").get(0))).isEqualTo(Map.of("title", "Daily market report " + today,
                "symbols", List.of("AAPL", "MSFT", "NVDA"), "metrics", METRICS));
        assertThat(body(emailTo("cfo@example.com"))).isEqualTo(Map.of("to", "cfo@example.com",
                "subject", "Daily market report " + today, "body", "The report is ready: " + REPORT_URL));
        assertThat(steps(report)).isEqualTo(Map.of("quotes", Map.of("data", QUOTES), "metrics", METRICS,
                "report", Map.of("url", REPORT_URL), "send", Map.of("id", "msg-1", "status", "queued")));
    }

    private void registerTools() {
        for (String[] server : new String[][] {{"calendar", "google-calendar-mcp"}, {"weather", "weather-mcp"},
                {"telegram", "telegram-mcp"}}) {
            api.post("/tools/discover", Map.of("server_url", mcp.url(server[0]), "prefix", server[1])).expect(200);
        }
        Map<String, Object> emailSchema = Map.of("type", "object", "required", List.of("to", "subject", "body"),
                "properties", Map.of("to", Map.of("type", List.of("string", "array")), "subject", Map.of("type", "string"),
                        "body", Map.of("type", "string")));
        List<Map<String, Object>> tools = List.of(
                httpTool("llm.summarize", http.url("/llm/summarize"),
                        "headers", Map.of("Authorization", "Bearer ${env:ORDINAUT_TOOL_SEED_E2E_LLM_TOKEN}"),
                        "output_schema", Map.of("type", "object", "required", List.of("text"))),
                httpTool("crm.list_leads", http.url("/crm/leads"), "scopes", List.of("crm:read")),
                httpTool("email.send", http.url("/email/send"), "input_schema", emailSchema),
                httpTool("http.check", http.url("/http/check")),
                httpTool("slack.post_message", http.url("/slack/post")),
                httpTool("market-data.quotes", http.url("/market/quotes"), "output_schema", Map.of("type", "object",
                        "properties", Map.of("data", Map.of("type", "array", "items", Map.of("type", "object",
                                "required", List.of("symbol", "price"), "properties", Map.of("price", Map.of("type", "number"))))))),
                httpTool("finance.compute_metrics", http.url("/finance/metrics")),
                httpTool("docs.create_report", http.url("/docs/report")));
        tools.forEach(tool -> api.post("/tools", tool).expect(201));
        assertThat(api.get("/tools?limit=200").expect(200).map()).containsEntry("total", 11);
    }

    private Map<String, Object> runSeed(String name) {
        String taskId = ToolRuns.create(api, task(name, seed(name)));
        return runNow(api, taskId);
    }

    private static void assertSucceeded(Map<String, Object> run) {
        assertThat(run.get("status")).as("run %s: %s", run.get("id"), run.get("error")).isEqualTo("succeeded");
        assertThat(run.get("success")).isEqualTo(true);
        assertThat(run.get("error")).isNull();
    }

    private static String idempotencyKey(Map<String, Object> run, String stepId) {
        return ToolCall.idempotencyKey((String) run.get("task_id"), Instant.parse((String) run.get("scheduled_for")), stepId);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> inputOf(Map<String, Object> run, String step) {
        return (Map<String, Object>) ((Map<String, Object>) steps(run).get(step)).get("input_args");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> body(TestHttpServer.Request request) {
        return JSON.readValue(request.body(), Map.class);
    }

    private static TestHttpServer.Request emailTo(Object to) {
        return http.requests("/email/send").stream().filter(r -> to.equals(body(r).get("to"))).findFirst()
                .orElseThrow(() -> new AssertionError("no e-mail to " + to + " among " + http.requests("/email/send")));
    }
}
