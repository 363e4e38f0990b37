package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.TestPropertySource;

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

    private static SlowTools tools;
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
        tools = new SlowTools()
                .answering("/quick", 200, 20, "{\"ok\": true}")
                .answering("/refuse", 400, 20, "{\"error\": \"no\"}")
                .answering("/hang", 200, 60_000, "{}", hangs::incrementAndGet)
                .start();
    }

    @AfterAll
    static void stopTools() {
        tools.close();
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
        tools.register(api, address, path);
    }

    private String task(Map<String, Object> fields, List<Map<String, Object>> steps) {
        return SlowTools.task(api, "timed", fields, steps);
    }

    private String runNow(String taskId) {
        return SlowTools.runNow(api, taskId);
    }
}
