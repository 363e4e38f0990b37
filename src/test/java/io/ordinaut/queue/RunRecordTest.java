package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;
import io.ordinaut.support.PipelineSteps;

/**
 * What GET /runs/{id} shows of a run, while it runs and once recorded, on a real node calling real HTTP
 * tools: a run ended by its timeout keeps what its finished steps did and names the step it was in;
 * started_at is one instant from claim to record.
 */
@TestPropertySource(properties = "ordinaut.tools.allow-loopback=true")
class RunRecordTest extends NodeTestSupport {

    private static SlowTools tools;

    @BeforeAll
    static void startTools() throws IOException {
        tools = new SlowTools()
                .answering("/geo", 200, 0, "{\"lat\": 47.0, \"lon\": 28.8}")
                .answering("/forecast", 200, 1_500, "{\"temp\": -3}")
                .answering("/hang", 200, 60_000, "{}")
                .start();
    }

    @AfterAll
    static void stopTools() {
        tools.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void a_run_that_times_out_keeps_its_finished_steps_and_names_the_step_it_was_in() {
        // given a task with a 5 s run timeout whose second step's tool never answers in time
        tool("geo.locate", "/geo");
        tool("weather.get", "/hang");
        String taskId = task(Map.of("run_timeout_seconds", 5), List.of(
                PipelineSteps.step("locate", "geo.locate", Map.of("city", "Chisinau"), "save_as", "place"),
                PipelineSteps.step("weather", "weather.get", Map.of("lat", "${steps.place.lat}"), "save_as", "forecast"),
                PipelineSteps.step("notify", "geo.locate", Map.of())));
        // when it runs
        Map<String, Object> run = api.awaitFinished(runNow(taskId));

        // then it failed on its timeout, naming the step that was running, and kept the first step's output and trace
        assertThat(run.get("status")).isEqualTo("failed");
        assertThat((String) run.get("error"))
                .startsWith("run timed out after 5 s in step 2 of 3 'weather' (weather.get, save_as forecast)");
        Map<String, Object> output = (Map<String, Object>) run.get("output");
        assertThat(output).as("output of a timed-out run").isNotNull();
        assertThat((Map<String, Object>) output.get("steps")).containsOnlyKeys("place")
                .containsEntry("place", Map.of("lat", 47.0, "lon", 28.8));
        List<Map<String, Object>> trace = (List<Map<String, Object>>) output.get("trace");
        assertThat(trace).extracting(e -> e.get("id")).containsExactly("locate", "weather");
        assertThat(trace.get(0)).containsEntry("status", "ok").containsEntry("attempts", 1).containsEntry("error", null);
        assertThat(trace.get(1)).containsEntry("uses", "weather.get").containsEntry("status", "failed")
                .containsEntry("attempts", 1).containsEntry("error", "run timed out after 5 s");
        // From the step's start to the cut, which comes when the timeout is enforced: a little after the 5 s.
        assertThat(((Number) trace.get(1).get("duration_ms")).longValue()).isBetween(100L, 30_000L);
    }

    @Test
    void started_at_is_the_same_instant_while_the_run_runs_and_once_it_is_recorded() {
        // given a run whose only step takes 1.5 s
        tool("weather.forecast", "/forecast");
        String taskId = task(Map.of(), List.of(PipelineSteps.step("forecast", "weather.forecast", Map.of())));
        String runId = runNow(taskId);

        // when it is seen running, and then recorded
        Map<String, Object> running = Eventually.until("run " + runId + " running", () -> api.get("/runs/" + runId).map(),
                r -> "running".equals(r.get("status")));
        Map<String, Object> recorded = api.awaitFinished(runId);

        // then both show the started_at its claim recorded
        assertThat(recorded.get("status")).isEqualTo("succeeded");
        assertThat(running.get("started_at")).isNotNull();
        assertThat(recorded.get("started_at")).isEqualTo(running.get("started_at"));
        assertThat(((Number) recorded.get("duration_ms")).longValue()).isGreaterThanOrEqualTo(1_500L);
    }

    private void tool(String address, String path) {
        tools.register(api, address, path);
    }

    private String task(Map<String, Object> fields, List<Map<String, Object>> steps) {
        return SlowTools.task(api, "recorded", fields, steps);
    }

    private String runNow(String taskId) {
        return SlowTools.runNow(api, taskId);
    }
}
