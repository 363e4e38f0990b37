package io.ordinaut.pipeline;

import io.ordinaut.pipeline.Pipelines.RecordingTool;
import io.ordinaut.tool.SimulatedTool;
import io.ordinaut.tool.ToolRouter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.ordinaut.pipeline.TemplateSemanticsTest.map;
import static org.assertj.core.api.Assertions.assertThat;

/** The four seed pipelines of the original Ordinaut, run end to end against simulated tools. */
class SeedPipelinesTest {

    private final ToolRouter simulated = new ToolRouter(address -> Optional.empty(),
            ToolRouter.Settings.defaults().withClock(Pipelines.CLOCK));

    static Map<?, ?> fixture(String name) {
        try (InputStream in = SeedPipelinesTest.class.getResourceAsStream("/pipelines/" + name + ".json")) {
            return JsonMapper.shared().readValue(in, Map.class);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private PipelineResult runSimulated(String name) {
        PipelineDefinition definition = PipelineDefinition.parse(fixture(name), simulated::accepts);
        return Pipelines.runner(simulated).run(definition, Pipelines.context());
    }

    private static List<Object> statuses(PipelineResult result) {
        return result.trace().stream().map(entry -> entry.get("status")).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> inputOf(PipelineResult result, String name) {
        return (Map<String, Object>) ((Map<String, Object>) result.steps().get(name)).get("input_args");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"morning-briefing", "crm-follow-up", "infrastructure-monitor", "financial-report"})
    void seed_pipeline_is_accepted_and_succeeds_simulated(String name) {
        PipelineResult result = runSimulated(name);

        assertThat(result.success()).as(result.error()).isTrue();
        assertThat(result.trace()).isNotEmpty();
    }

    @Test
    void morning_briefing_chains_calendar_weather_summary_and_notification() {
        PipelineResult result = runSimulated("morning-briefing");

        assertThat(statuses(result)).containsExactly("ok", "ok", "ok", "ok");
        assertThat(result.steps()).containsOnlyKeys("calendar", "weather", "summary", "notify");
        assertThat(inputOf(result, "calendar")).isEqualTo(map("calendar_id", "primary", "date", "2025-01-16",
                "time_min", "2025-01-15T20:00:00Z", "time_max", "2025-01-16T20:00:00Z"));
        Map<String, Object> summary = inputOf(result, "summary");
        assertThat(summary.get("events")).isEqualTo(List.of());
        assertThat(summary.get("weather")).isEqualTo(result.steps().get("weather"));
        assertThat(summary.get("prompt")).isEqualTo("Briefing for Chisinau on 2025-01-16. Calendar: []. "
                + "Weather: Simulated execution of weather-mcp.forecast");
        assertThat(inputOf(result, "notify")).isEqualTo(map("chat_id", "123456789",
                "text", "Simulated execution of llm.summarize"));
    }

    @Test
    void crm_follow_up_skips_the_email_when_there_are_no_leads() {
        PipelineResult result = runSimulated("crm-follow-up");

        assertThat(statuses(result)).containsExactly("ok", "skipped");
        assertThat(inputOf(result, "leads")).containsEntry("created_after", "2025-01-14T20:00:00Z");
    }

    @Test
    void crm_follow_up_emails_the_leads_when_there_are_some() {
        RecordingTool tools = new RecordingTool(call -> call.address().equals("crm.list_leads")
                ? map("data", List.of(map("email", "a@example.com"), map("email", "b@example.com")))
                : new SimulatedTool(Pipelines.CLOCK).invoke(call));

        PipelineResult result = Pipelines.runner(tools).run(PipelineDefinition.parse(fixture("crm-follow-up"), null),
                Pipelines.context());

        assertThat(statuses(result)).containsExactly("ok", "ok");
        assertThat(tools.callsTo("email.send").get(0).args()).isEqualTo(map(
                "from", "sales@example.com",
                "to", List.of("a@example.com", "b@example.com"),
                "subject", "Thanks for your interest",
                "body", "Following up on 2 new leads since 2025-01-14T20:00:00Z."));
    }

    @Test
    void infrastructure_monitor_alerts_when_the_check_is_not_healthy() {
        PipelineResult result = runSimulated("infrastructure-monitor");

        assertThat(statuses(result)).containsExactly("ok", "ok");
        assertThat(inputOf(result, "alert").get("text")).isEqualTo(
                "https://status.example.com/health looks unhealthy (status: simulated) at 2025-01-15T20:00:00Z");
    }

    @Test
    void infrastructure_monitor_stays_quiet_when_the_check_answers_200() {
        RecordingTool tools = new RecordingTool(call -> map("status", 200));

        PipelineResult result = Pipelines.runner(tools).run(
                PipelineDefinition.parse(fixture("infrastructure-monitor"), null), Pipelines.context());

        assertThat(statuses(result)).containsExactly("ok", "skipped");
        assertThat(tools.callsTo("slack.post_message")).isEmpty();
    }

    @Test
    void financial_report_fetches_computes_reports_and_sends() {
        PipelineResult result = runSimulated("financial-report");

        assertThat(statuses(result)).containsExactly("ok", "ok", "ok", "ok");
        assertThat(result.steps()).containsOnlyKeys("quotes", "metrics", "report", "send");
        assertThat(inputOf(result, "quotes")).isEqualTo(map("symbols", List.of("AAPL", "MSFT", "NVDA"), "date", "2025-01-16"));
        assertThat(inputOf(result, "report").get("metrics")).isEqualTo(result.steps().get("metrics"));
        assertThat(inputOf(result, "send").get("body")).isEqualTo("The report is ready: Simulated execution of docs.create_report");
    }
}
