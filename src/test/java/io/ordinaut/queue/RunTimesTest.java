package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.TestPropertySource;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;
import io.ordinaut.support.PipelineSteps;

/**
 * A run's recorded times on a node whose clock is 2 s ahead of the database's: whatever way the attempt
 * ends, its steps (and a simulated tool's timestamp) fall between its started_at — the claim's instant, by
 * the database's clock — and its finished_at.
 */
@TestPropertySource(properties = "ordinaut.tools.allow-loopback=true")
class RunTimesTest extends NodeTestSupport {

    static final Duration SKEW = Duration.ofSeconds(2);

    private static HttpServer tools;
    private static final ExecutorService toolThreads = Executors.newCachedThreadPool();
    /** Calls the hanging tool has received. */
    private static final AtomicInteger hangs = new AtomicInteger();

    @TestConfiguration
    static class SkewedClock {

        @Bean
        @Primary
        Clock skewedClock() {
            return Clock.offset(Clock.systemUTC(), SKEW);
        }
    }

    @BeforeAll
    static void startTools() throws IOException {
        tools = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        tools.setExecutor(toolThreads);
        tools.createContext("/quick", exchange -> answer(exchange, 200, 20, "{\"ok\": true}"));
        tools.createContext("/refuse", exchange -> answer(exchange, 400, 20, "{\"error\": \"no\"}"));
        tools.createContext("/hang", exchange -> {
            hangs.incrementAndGet();
            answer(exchange, 200, 60_000, "{}");
        });
        tools.start();
    }

    @AfterAll
    static void stopTools() {
        tools.stop(0);
        toolThreads.shutdownNow();
    }

    @Test
    @SuppressWarnings("unchecked")
    void a_succeeded_runs_steps_and_simulated_timestamps_fall_within_its_started_and_finished_at() {
        // given a task of a real HTTP step and a simulated one
        tool("times.quick", "/quick");
        String taskId = task(Map.of(), List.of(PipelineSteps.step("first", "times.quick", Map.of()),
                PipelineSteps.step("second", "simulated.echo", Map.of())));

        // when it runs
        Map<String, Object> run = api.awaitFinished(runNow(taskId));

        // then each step starts and ends within the run, and so does the simulated tool's timestamp
        assertThat(run.get("status")).isEqualTo("succeeded");
        assertStepsWithin(run, 2);
        Map<String, Object> outputs = (Map<String, Object>) ((Map<String, Object>) run.get("output")).get("steps");
        Instant stamp = Instant.parse((String) ((Map<String, Object>) outputs.get("second")).get("timestamp"));
        assertThat(stamp).as("simulated timestamp (to the millisecond)")
                .isBetween(instant(run, "started_at").truncatedTo(ChronoUnit.MILLIS), instant(run, "finished_at"));
    }

    @Test
    void a_failed_runs_steps_fall_within_its_started_and_finished_at() {
        tool("times.quick2", "/quick");
        tool("times.refuse", "/refuse");
        String taskId = task(Map.of(), List.of(PipelineSteps.step("first", "times.quick2", Map.of()),
                PipelineSteps.step("second", "times.refuse", Map.of())));

        Map<String, Object> run = api.awaitFinished(runNow(taskId));

        assertThat(run.get("status")).isEqualTo("failed");
        assertStepsWithin(run, 2);
    }

    @Test
    void a_timed_out_runs_steps_fall_within_its_started_and_finished_at() {
        tool("times.quick3", "/quick");
        tool("times.hang", "/hang");
        String taskId = task(Map.of("run_timeout_seconds", 1), List.of(PipelineSteps.step("first", "times.quick3", Map.of()),
                PipelineSteps.step("second", "times.hang", Map.of())));

        Map<String, Object> run = api.awaitFinished(runNow(taskId));

        assertThat((String) run.get("error")).startsWith("run timed out after 1 s");
        assertStepsWithin(run, 2);
    }

    @Test
    void a_canceled_runs_steps_fall_within_its_started_and_finished_at() {
        tool("times.quick4", "/quick");
        tool("times.hang2", "/hang");
        String taskId = task(Map.of(), List.of(PipelineSteps.step("first", "times.quick4", Map.of()),
                PipelineSteps.step("second", "times.hang2", Map.of())));
        int before = hangs.get();
        String runId = runNow(taskId);
        Eventually.until("run " + runId + " in its second step", () -> hangs.get() > before);

        api.post("/runs/" + runId + "/cancel", Map.of()).expect(200);
        Map<String, Object> run = api.awaitFinished(runId);

        assertThat(run.get("status")).isEqualTo("canceled");
        assertStepsWithin(run, 2);
    }

    @SuppressWarnings("unchecked")
    private static void assertStepsWithin(Map<String, Object> run, int steps) {
        Instant started = instant(run, "started_at");
        Instant finished = instant(run, "finished_at");
        assertThat(finished).as("finished_at").isAfterOrEqualTo(started);
        List<Map<String, Object>> trace = (List<Map<String, Object>>) ((Map<String, Object>) run.get("output")).get("trace");
        assertThat(trace).hasSize(steps);
        Instant previousEnd = started;
        for (Map<String, Object> entry : trace) {
            Instant stepStart = Instant.parse((String) entry.get("started_at"));
            Instant stepEnd = stepStart.plusMillis(((Number) entry.get("duration_ms")).longValue());
            assertThat(stepStart).as("step %s started_at, run %s–%s", entry.get("id"), started, finished)
                    .isAfterOrEqualTo(previousEnd).isBeforeOrEqualTo(finished);
            assertThat(stepEnd).as("step %s end, run %s–%s", entry.get("id"), started, finished).isBeforeOrEqualTo(finished);
            previousEnd = stepEnd;
        }
    }

    private static Instant instant(Map<String, Object> run, String field) {
        return Instant.parse((String) run.get(field));
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
        task.put("title", "timed");
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

    private static void answer(HttpExchange exchange, int status, long afterMillis, String json) throws IOException {
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
            exchange.sendResponseHeaders(status, body.length);
            out.write(body);
        }
    }
}
