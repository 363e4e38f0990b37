package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

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

    private static HttpServer tools;
    private static final ExecutorService toolThreads = Executors.newCachedThreadPool();

    @BeforeAll
    static void startTools() throws IOException {
        tools = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        tools.setExecutor(toolThreads);
        tools.createContext("/geo", exchange -> answer(exchange, 0, "{\"lat\": 47.0, \"lon\": 28.8}"));
        tools.createContext("/forecast", exchange -> answer(exchange, 1_500, "{\"temp\": -3}"));
        tools.createContext("/hang", exchange -> answer(exchange, 60_000, "{}"));
        tools.start();
    }

    @AfterAll
    static void stopTools() {
        tools.stop(0);
        toolThreads.shutdownNow();
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
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("address", address);
        tool.put("transport", "http");
        tool.put("endpoint", "http://127.0.0.1:" + tools.getAddress().getPort() + path);
        api.post("/tools", tool).expect(201);
    }

    private String task(Map<String, Object> fields, List<Map<String, Object>> steps) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("title", "recorded");
        task.put("schedule_kind", "cron");
        task.put("schedule_expr", "0 3 1 1 *");
        task.put("max_retries", 0);
        task.put("payload", Map.of("params", Map.of(), "pipeline", steps));
        task.putAll(fields);
        return api.post("/tasks", task).expect(201).string("id");
    }

    private String runNow(String taskId) {
        return api.post("/tasks/" + taskId + "/run_now", Map.of()).expect(200).details().get("run_id").toString();
    }


    private static void answer(HttpExchange exchange, long afterMillis, String json) throws IOException {
        exchange.getRequestBody().readAllBytes();
        try {
            Thread.sleep(afterMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        try (OutputStream out = exchange.getResponseBody()) {
            exchange.sendResponseHeaders(200, body.length);
            out.write(body);
        } catch (IOException callerGone) {
            // the run was ended before the answer: it goes nowhere
        }
    }
}
