package io.ordinaut.tool;

import io.ordinaut.pipeline.PipelineDefinition;
import io.ordinaut.pipeline.PipelineResult;
import io.ordinaut.pipeline.PipelineRunner;
import io.ordinaut.pipeline.RunContext;
import io.ordinaut.tool.TestHttpServer.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class HttpToolTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-10T07:30:00Z"), ZoneOffset.UTC);
    private static final String SECRET = "s3cr3t-token-value";

    private final Map<String, ToolDefinition> catalog = new HashMap<>();
    private TestHttpServer server;
    private ToolRouter router;

    @BeforeEach
    void start() throws Exception {
        server = new TestHttpServer();
        Map<String, String> env = Map.of("ORDINAUT_TOOL_WEATHER_TOKEN", SECRET);
        router = new ToolRouter(address -> Optional.ofNullable(catalog.get(address)),
                ToolRouter.Settings.defaults().withAllowLoopback(true).withEnvironment(env::get).withClock(CLOCK));
    }

    @AfterEach
    void stop() {
        router.close();
        server.close();
    }

    private ToolDefinition register(String address, String path) {
        ToolDefinition tool = ToolDefinition.http(address, server.url(path))
                .withHeaders(Map.of("Authorization", "Bearer ${secret:ORDINAUT_TOOL_WEATHER_TOKEN}", "X-Team", "ops"));
        catalog.put(address, tool);
        return tool;
    }

    private static ToolCall call(String address, Map<String, Object> args, int timeoutSeconds) {
        return new ToolCall(address, args, "key-1", "run-1", 1, Duration.ofSeconds(timeoutSeconds), null);
    }

    private static RunContext context() {
        return new RunContext("task-1", "Weather", ZoneId.of("Europe/Paris"), "run-9", 2,
                Instant.parse("2025-03-10T07:30:00Z"), "schedule");
    }

    @Test
    void pipelinePostsTemplatedArgumentsAsJsonWithIdentityAndConfiguredHeaders() throws Exception {
        register("weather.forecast", "/forecast");
        server.on("/forecast", Answer.json(200, "{\"temp\": 21.5, \"sky\": \"clear\"}"));
        PipelineDefinition definition = PipelineDefinition.parse(Map.of(
                "params", Map.of("city", "Paris", "days", 3),
                "pipeline", List.of(Map.of("id", "weather", "uses", "weather.forecast",
                        "with", Map.of("city", "${params.city}", "days", "${params.days}", "note", "for ${params.city}")))),
                router::accepts);

        PipelineResult result = new PipelineRunner(router, CLOCK).run(definition, context());

        assertThat(result.success()).as(result.error()).isTrue();
        assertThat(result.steps()).containsEntry("weather", Map.of("temp", 21.5, "sky", "clear"));
        TestHttpServer.Request request = server.requests("/forecast").get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(JsonMapper.shared().readValue(request.body(), Map.class))
                .isEqualTo(Map.of("city", "Paris", "days", 3, "note", "for Paris"));
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("Idempotency-Key"))
                .isEqualTo(ToolCall.idempotencyKey("task-1", Instant.parse("2025-03-10T07:30:00Z"), "weather"));
        assertThat(request.header("X-Ordinaut-Run-Id")).isEqualTo("run-9");
        assertThat(request.header("X-Ordinaut-Attempt")).isEqualTo("2");
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + SECRET);
        assertThat(request.header("X-Team")).isEqualTo("ops");
    }

    @Test
    void serverErrorIsRetriedByTheStepWithTheSameIdempotencyKey() {
        register("weather.forecast", "/flaky");
        server.on("/flaky", (request, previous) -> previous == 0
                ? Answer.json(503, "{\"error\":\"busy\"}")
                : Answer.json(200, "{\"ok\": true}"));
        PipelineDefinition definition = PipelineDefinition.parse(Map.of("pipeline", List.of(
                Map.of("id", "weather", "uses", "weather.forecast", "max_retries", 2))), router::accepts);

        PipelineResult result = new PipelineRunner(router, CLOCK, Executors.newCachedThreadPool(), Duration.ZERO)
                .run(definition, context());

        assertThat(result.success()).as(result.error()).isTrue();
        assertThat(result.trace().get(0)).containsEntry("attempts", 2);
        List<TestHttpServer.Request> requests = server.requests("/flaky");
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).header("Idempotency-Key")).isNotBlank()
                .isEqualTo(requests.get(1).header("Idempotency-Key"));
    }

    @Test
    void tooManyRequestsIsRetryable() {
        register("weather.forecast", "/limited");
        server.on("/limited", Answer.json(429, "{\"error\":\"slow down\"}"));

        ToolCallException e = catchThrowableOfType(ToolCallException.class,
                () -> router.invoke(call("weather.forecast", Map.of(), 5)));

        assertThat(e.retryable()).isTrue();
        assertThat(e.httpStatus()).isEqualTo(429);
        assertThat(e.getMessage()).contains("HTTP 429").contains("slow down");
    }

    @Test
    void serverErrorIsRetryableAndClientErrorIsNot() {
        register("a.five", "/500");
        register("a.four", "/400");
        server.on("/500", Answer.json(500, "{}"));
        server.on("/400", Answer.json(400, "{\"error\":\"city is required\"}"));

        ToolCallException five = catchThrowableOfType(ToolCallException.class, () -> router.invoke(call("a.five", Map.of(), 5)));
        ToolCallException four = catchThrowableOfType(ToolCallException.class, () -> router.invoke(call("a.four", Map.of(), 5)));

        assertThat(five.retryable()).isTrue();
        assertThat(four.retryable()).isFalse();
        assertThat(four.httpStatus()).isEqualTo(400);
        assertThat(four.getMessage()).contains("city is required");
    }

    @Test
    void slowToolTimesOutAsRetryable() {
        register("weather.forecast", "/slow");
        server.on("/slow", Answer.json(200, "{}").delayed(3_000));
        long start = System.nanoTime();

        ToolCallException e = catchThrowableOfType(ToolCallException.class,
                () -> router.invoke(call("weather.forecast", Map.of(), 1)));

        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).contains("timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
    }

    @Test
    void redirectIsFollowedAndKeepsPostFor307() {
        register("weather.forecast", "/old");
        server.on("/old", Answer.redirect(307, "/new"));
        server.on("/new", Answer.json(200, "{\"moved\": true}"));

        Object output = router.invoke(call("weather.forecast", Map.of("city", "Oslo"), 5));

        assertThat(output).isEqualTo(Map.of("moved", true));
        TestHttpServer.Request followed = server.requests("/new").get(0);
        assertThat(followed.method()).isEqualTo("POST");
        assertThat(followed.body()).contains("Oslo");
    }

    @Test
    void redirectToLinkLocalMetadataAddressIsRefusedWithoutBeingFollowed() {
        register("weather.forecast", "/trap");
        server.on("/trap", Answer.redirect(302, "http://169.254.169.254/latest/meta-data/"));

        ToolCallException e = catchThrowableOfType(ToolCallException.class,
                () -> router.invoke(call("weather.forecast", Map.of(), 5)));

        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("169.254.169.254").contains("refused");
    }

    @Test
    void redirectLoopStopsAfterFiveHops() {
        register("weather.forecast", "/loop");
        server.on("/loop", Answer.redirect(307, "/loop"));

        ToolCallException e = catchThrowableOfType(ToolCallException.class,
                () -> router.invoke(call("weather.forecast", Map.of(), 5)));

        assertThat(e.retryable()).isFalse();
        assertThat(server.requests("/loop")).hasSize(6);
    }

    @Test
    void secretHeaderValueEchoedByTheToolNeverAppearsInTheError() {
        register("weather.forecast", "/echo");
        server.on("/echo", (request, previous) ->
                Answer.json(401, "{\"error\":\"bad token " + request.header("Authorization") + "\"}"));

        ToolCallException e = catchThrowableOfType(ToolCallException.class,
                () -> router.invoke(call("weather.forecast", Map.of(), 5)));

        assertThat(server.requests("/echo").get(0).header("Authorization")).contains(SECRET);
        assertThat(e.getMessage()).doesNotContain(SECRET).contains("***");
    }

    @Test
    void missingEnvironmentVariableForAHeaderFailsWithoutCallingTheTool() {
        catalog.put("weather.forecast", ToolDefinition.http("weather.forecast", server.url("/forecast"))
                .withHeaders(Map.of("Authorization", "Bearer ${env:ORDINAUT_TOOL_NOT_SET_ANYWHERE}")));

        assertThatThrownBy(() -> router.invoke(call("weather.forecast", Map.of(), 5)))
                .isInstanceOf(ToolCallException.class)
                .hasMessageContaining("ORDINAUT_TOOL_NOT_SET_ANYWHERE")
                .satisfies(e -> assertThat(((ToolCallException) e).retryable()).isFalse());
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void nonJsonSuccessBodyIsWrappedAsText() {
        register("weather.forecast", "/plain");
        server.on("/plain", new Answer(200, "sunny", Map.of("Content-Type", "text/plain"), 0));

        assertThat(router.invoke(call("weather.forecast", Map.of(), 5))).isEqualTo(Map.of("text", "sunny"));
    }

    @Test
    void unreachableToolIsRetryable() throws Exception {
        String url;
        try (TestHttpServer closed = new TestHttpServer()) {
            url = closed.url("/gone");
        }
        catalog.put("weather.forecast", ToolDefinition.http("weather.forecast", url));

        ToolCallException e = catchThrowableOfType(ToolCallException.class,
                () -> router.invoke(call("weather.forecast", Map.of(), 5)));

        assertThat(e.retryable()).isTrue();
    }
}
