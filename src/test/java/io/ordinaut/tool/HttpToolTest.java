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
import java.util.concurrent.atomic.AtomicInteger;
import java.net.InetAddress;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.TrustManagerFactory;

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
    void pipeline_posts_templated_arguments_as_json_with_identity_and_configured_headers() throws Exception {
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
    void server_error_is_retried_by_the_step_with_the_same_idempotency_key() {
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
    void too_many_requests_is_retryable() {
        register("weather.forecast", "/limited");
        server.on("/limited", Answer.json(429, "{\"error\":\"slow down\"}"));

        ToolCallException e = catchThrowableOfType(ToolCallException.class,
                () -> router.invoke(call("weather.forecast", Map.of(), 5)));

        assertThat(e.retryable()).isTrue();
        assertThat(e.httpStatus()).isEqualTo(429);
        assertThat(e.getMessage()).contains("HTTP 429").contains("slow down");
    }

    @Test
    void server_error_is_retryable_and_client_error_is_not() {
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
    void slow_tool_times_out_as_retryable() {
        register("weather.forecast", "/slow");
        server.on("/slow", Answer.json(200, "{}").delayed(10_000));
        long start = System.nanoTime();

        ToolCallException e = catchThrowableOfType(ToolCallException.class,
                () -> router.invoke(call("weather.forecast", Map.of(), 1)));

        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).contains("timed out");
        // far below the 10 s the answer would take: the 1 s timeout cut it (margin for a loaded machine)
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
    }

    @Test
    void redirect_is_followed_and_keeps_post_for_307() {
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
    void redirect_to_link_local_metadata_address_is_refused_without_being_followed() {
        register("weather.forecast", "/trap");
        server.on("/trap", Answer.redirect(302, "http://169.254.169.254/latest/meta-data/"));

        ToolCallException e = catchThrowableOfType(ToolCallException.class,
                () -> router.invoke(call("weather.forecast", Map.of(), 5)));

        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("169.254.169.254").contains("refused");
    }

    @Test
    void redirect_loop_stops_after_five_hops() {
        register("weather.forecast", "/loop");
        server.on("/loop", Answer.redirect(307, "/loop"));

        ToolCallException e = catchThrowableOfType(ToolCallException.class,
                () -> router.invoke(call("weather.forecast", Map.of(), 5)));

        assertThat(e.retryable()).isFalse();
        assertThat(server.requests("/loop")).hasSize(6);
    }

    @Test
    void secret_header_value_echoed_by_the_tool_never_appears_in_the_error() {
        register("weather.forecast", "/echo");
        server.on("/echo", (request, previous) ->
                Answer.json(401, "{\"error\":\"bad token " + request.header("Authorization") + "\"}"));

        ToolCallException e = catchThrowableOfType(ToolCallException.class,
                () -> router.invoke(call("weather.forecast", Map.of(), 5)));

        assertThat(server.requests("/echo").get(0).header("Authorization")).contains(SECRET);
        assertThat(e.getMessage()).doesNotContain(SECRET).contains("***");
    }

    @Test
    void secret_header_value_echoed_in_a_successful_answer_is_redacted_in_the_output() {
        register("weather.forecast", "/echo");
        server.on("/echo", (request, previous) -> Answer.json(200, "{\"you_sent\": \"" + request.header("Authorization")
                + "\", \"nested\": [{\"" + SECRET + "\": \"key " + SECRET + "\"}], \"temp\": 21}"));

        Object output = router.invoke(call("weather.forecast", Map.of(), 5));

        assertThat(server.requests("/echo").get(0).header("Authorization")).isEqualTo("Bearer " + SECRET);
        assertThat(output).isEqualTo(Map.of("you_sent", "Bearer ***", "nested", List.of(Map.of("***", "key ***")), "temp", 21));
    }

    @Test
    void secret_cut_by_the_error_excerpt_is_redacted_before_the_cut() {
        register("weather.forecast", "/echo");
        // the 300-character excerpt of the error body would end inside the secret
        String padding = "x".repeat(300 - "{\"e\":\"Bearer ".length() - 3);
        server.on("/echo", (request, previous) ->
                Answer.json(400, "{\"e\":\"" + padding + request.header("Authorization") + "\"}"));

        ToolCallException e = catchThrowableOfType(ToolCallException.class,
                () -> router.invoke(call("weather.forecast", Map.of(), 5)));

        assertThat(e.getMessage()).contains("Bearer ***").doesNotContain(SECRET.substring(0, 3));
    }

    @Test
    void missing_environment_variable_for_a_header_fails_without_calling_the_tool() {
        catalog.put("weather.forecast", ToolDefinition.http("weather.forecast", server.url("/forecast"))
                .withHeaders(Map.of("Authorization", "Bearer ${env:ORDINAUT_TOOL_NOT_SET_ANYWHERE}")));

        assertThatThrownBy(() -> router.invoke(call("weather.forecast", Map.of(), 5)))
                .isInstanceOf(ToolCallException.class)
                .hasMessageContaining("ORDINAUT_TOOL_NOT_SET_ANYWHERE")
                .satisfies(e -> assertThat(((ToolCallException) e).retryable()).isFalse());
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void non_json_success_body_is_wrapped_as_text() {
        register("weather.forecast", "/plain");
        server.on("/plain", new Answer(200, "sunny", Map.of("Content-Type", "text/plain"), 0));

        assertThat(router.invoke(call("weather.forecast", Map.of(), 5))).isEqualTo(Map.of("text", "sunny"));
    }

    @Test
    void answer_over_the_size_cap_drops_the_connection_instead_of_downloading_the_rest() throws Exception {
        // 64 MiB, far more than the socket buffers between the two ends can hold
        TestHttpServer.Stream stream = server.stream("/endless", 64 * 1024, 1024, 0);
        catalog.put("feed.all", ToolDefinition.http("feed.all", server.url("/endless")));

        try (ToolRouter capped = cappedRouter(100_000)) {
            ToolCallException e = catchThrowableOfType(ToolCallException.class,
                    () -> capped.invoke(call("feed.all", Map.of(), 60)));

            assertThat(stream.hungUp().get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .as("the server saw the connection dropped before the end of its answer").isTrue();
            assertThat(stream.written().get()).as("bytes the server got out").isLessThan(32L * 1024 * 1024);
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).isEqualTo("feed.all answered with more than 100000 bytes (ordinaut.tools.max-response-bytes)");
        }
    }

    @Test
    void slow_answer_over_the_size_cap_fails_at_once_not_at_the_timeout() throws Exception {
        // 4 KiB every 20 ms, for a minute unless the client hangs up
        TestHttpServer.Stream stream = server.stream("/drip", 4096, 3_000, 20);
        catalog.put("feed.drip", ToolDefinition.http("feed.drip", server.url("/drip")));

        try (ToolRouter capped = cappedRouter(16_384)) {
            ToolCallException e = catchThrowableOfType(ToolCallException.class,
                    () -> capped.invoke(call("feed.drip", Map.of(), 300)));

            assertThat(stream.hungUp().get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .as("the server saw the connection dropped before the end of its answer").isTrue();
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).contains("more than 16384 bytes");
        }
    }

    private ToolRouter cappedRouter(int maxResponseBytes) {
        ToolProperties capped = new ToolProperties(null, true, null, null, null, null, maxResponseBytes, null, null, null, null);
        return new ToolRouter(address -> Optional.ofNullable(catalog.get(address)), ToolRouter.Settings.of(capped, System::getenv, CLOCK));
    }

    @Test
    void unreachable_tool_is_retryable() throws Exception {
        String url;
        try (TestHttpServer closed = new TestHttpServer()) {
            url = closed.url("/gone");
        }
        catalog.put("weather.forecast", ToolDefinition.http("weather.forecast", url));

        ToolCallException e = catchThrowableOfType(ToolCallException.class,
                () -> router.invoke(call("weather.forecast", Map.of(), 5)));

        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).startsWith("weather.forecast could not be reached: ").contains("Connection refused")
                .doesNotContain("java.", "Exception");
    }

    @Test
    void redirect_to_another_origin_never_carries_the_configured_headers() throws Exception {
        try (TestHttpServer elsewhere = new TestHttpServer()) {
            register("weather.forecast", "/old");
            server.on("/old", Answer.redirect(307, "/same-origin"));
            server.on("/same-origin", Answer.redirect(307, elsewhere.url("/collect")));
            elsewhere.on("/collect", Answer.redirect(307, server.url("/back")));
            server.on("/back", Answer.json(200, "{\"ok\": true}"));

            Object output = router.invoke(call("weather.forecast", Map.of("city", "Oslo"), 5));

            assertThat(output).isEqualTo(Map.of("ok", true));
            assertThat(server.requests("/same-origin").get(0).header("Authorization")).isEqualTo("Bearer " + SECRET);
            TestHttpServer.Request collected = elsewhere.requests("/collect").get(0);
            assertThat(collected.header("Authorization")).isNull();
            assertThat(collected.header("X-Team")).isNull();
            assertThat(collected.headers().toString()).doesNotContain(SECRET);
            // once the chain has left the origin, coming back does not bring the secrets back either
            assertThat(server.requests("/back").get(0).header("Authorization")).isNull();
        }
    }

    @Test
    void connection_goes_to_the_address_that_passed_the_check_even_when_dns_answers_differently_later() throws Exception {
        int port = java.net.URI.create(server.url("/")).getPort();
        AtomicInteger lookups = new AtomicInteger();
        // first answer: the (allowed) test server; any later answer: the cloud metadata address
        HostResolver rebinding = host -> new InetAddress[] {lookups.getAndIncrement() == 0
                ? InetAddress.getByName("127.0.0.1") : InetAddress.getByName("169.254.169.254")};
        catalog.put("rebind.tool", ToolDefinition.http("rebind.tool", "http://tool.rebind.test:" + port + "/forecast")
                .withHeaders(Map.of("X-Team", "ops")));
        server.on("/forecast", Answer.json(200, "{\"temp\": 3}"));
        try (ToolRouter pinned = new ToolRouter(address -> Optional.ofNullable(catalog.get(address)),
                ToolRouter.Settings.defaults().withAllowLoopback(true).withResolver(rebinding))) {

            Object output = pinned.invoke(call("rebind.tool", Map.of(), 5));

            assertThat(output).isEqualTo(Map.of("temp", 3));
            assertThat(lookups.get()).as("one lookup: the checked answer is the one connected to").isEqualTo(1);
            // the Host header (and for https, SNI and certificate checks) keep the name, not the pinned address
            assertThat(server.requests("/forecast").get(0).header("Host")).isEqualTo("tool.rebind.test:" + port);
        }
    }

    @Test
    void a_refused_first_answer_is_not_retried_with_a_friendlier_lookup() throws Exception {
        int port = java.net.URI.create(server.url("/")).getPort();
        AtomicInteger lookups = new AtomicInteger();
        HostResolver rebinding = host -> new InetAddress[] {lookups.getAndIncrement() == 0
                ? InetAddress.getByName("169.254.169.254") : InetAddress.getByName("127.0.0.1")};
        catalog.put("rebind.tool", ToolDefinition.http("rebind.tool", "http://tool.rebind.test:" + port + "/forecast"));
        server.on("/forecast", Answer.json(200, "{\"temp\": 3}"));
        try (ToolRouter pinned = new ToolRouter(address -> Optional.ofNullable(catalog.get(address)),
                ToolRouter.Settings.defaults().withAllowLoopback(true).withResolver(rebinding))) {

            ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> pinned.invoke(call("rebind.tool", Map.of(), 5)));

            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).contains("169.254.169.254").contains("refused");
            assertThat(server.requests()).isEmpty();
        }
    }

    @Test
    void loopback_tools_are_refused_by_default() {
        register("weather.forecast", "/forecast");
        server.on("/forecast", Answer.json(200, "{}"));
        try (ToolRouter defaults = new ToolRouter(address -> Optional.ofNullable(catalog.get(address)),
                ToolRouter.Settings.defaults().withEnvironment(Map.of("ORDINAUT_TOOL_WEATHER_TOKEN", SECRET)::get))) {

            ToolCallException e = catchThrowableOfType(ToolCallException.class,
                    () -> defaults.invoke(call("weather.forecast", Map.of(), 5)));

            assertThat(e.getMessage()).contains("loopback").contains("ordinaut.tools.allow-loopback");
            assertThat(server.requests()).isEmpty();
        }
    }

    @Test
    void retry_after_of_a_429_delays_the_step_retry() throws Exception {
        register("weather.forecast", "/busy");
        server.on("/busy", (request, previous) -> previous == 0
                ? new Answer(429, "{}", Map.of("Retry-After", "2"), 0)
                : Answer.json(200, "{\"temp\": 1}"));
        PipelineDefinition definition = PipelineDefinition.parse(Map.of("pipeline", List.of(Map.of(
                "id", "w", "uses", "weather.forecast", "with", Map.of(), "max_retries", 1, "timeout_seconds", 10))),
                router::accepts);

        PipelineResult result = new PipelineRunner(router, CLOCK, Executors.newCachedThreadPool(), Duration.ofMillis(10))
                .run(definition, context());

        assertThat(result.success()).as(result.error()).isTrue();
        List<Long> at = server.requests("/busy").stream().map(TestHttpServer.Request::receivedNanos).toList();
        assertThat(Duration.ofNanos(at.get(1) - at.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(1_900));
    }

    @Test
    void retry_after_is_bounded_by_the_step_timeout() throws Exception {
        register("weather.forecast", "/busy");
        server.on("/busy", (request, previous) -> previous == 0
                ? new Answer(503, "{}", Map.of("Retry-After", "Wed, 21 Oct 2099 07:28:00 GMT"), 0)
                : Answer.json(200, "{\"temp\": 1}"));
        PipelineDefinition definition = PipelineDefinition.parse(Map.of("pipeline", List.of(Map.of(
                "id", "w", "uses", "weather.forecast", "with", Map.of(), "max_retries", 1, "timeout_seconds", 2))),
                router::accepts);

        long start = System.nanoTime();
        PipelineResult result = new PipelineRunner(router, CLOCK, Executors.newCachedThreadPool(), Duration.ofMillis(10))
                .run(definition, context());

        assertThat(result.success()).as(result.error()).isTrue();
        List<Long> at = server.requests("/busy").stream().map(TestHttpServer.Request::receivedNanos).toList();
        assertThat(Duration.ofNanos(at.get(1) - at.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(1_900));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void retry_after_is_read_as_seconds_or_http_date() {
        Instant now = Instant.parse("2025-03-10T07:30:00Z");
        assertThat(RetryAfter.parse("7", now)).isEqualTo(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse("Mon, 10 Mar 2025 07:31:00 GMT", now)).isEqualTo(Duration.ofMinutes(1));
        assertThat(RetryAfter.parse("Mon, 10 Mar 2025 07:00:00 GMT", now)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse("soon", now)).isNull();
        assertThat(RetryAfter.parse("99999999999999", now)).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void https_to_a_pinned_address_keeps_sni_host_and_certificate_check_on_the_name(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("tool.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "tool", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=tool.pinned.test",
                "-ext", "SAN=dns:tool.pinned.test", "-validity", "2", "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        assertThat(keytool.waitFor()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keys);
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);
        SSLContext clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, tmf.getTrustManagers(), null);
        List<String> sniSeen = new CopyOnWriteArrayList<>();
        List<String> hostSeen = new CopyOnWriteArrayList<>();
        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(serverTls) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = serverTls.getDefaultSSLParameters();
                parameters.setSNIMatchers(List.of(new SNIMatcher(StandardConstants.SNI_HOST_NAME) {
                    @Override
                    public boolean matches(SNIServerName name) {
                        sniSeen.add(((SNIHostName) name).getAsciiName());
                        return true;
                    }
                }));
                params.setSSLParameters(parameters);
            }
        });
        https.createContext("/", exchange -> {
            hostSeen.add(exchange.getRequestHeaders().getFirst("Host"));
            exchange.getRequestBody().readAllBytes();
            byte[] body = "{\"secure\": true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        https.start();
        int port = https.getAddress().getPort();
        HostResolver local = host -> new InetAddress[] {InetAddress.getByName("127.0.0.1")};
        catalog.put("tls.tool", ToolDefinition.http("tls.tool", "https://tool.pinned.test:" + port + "/x"));
        catalog.put("tls.other", ToolDefinition.http("tls.other", "https://other.pinned.test:" + port + "/x"));
        try (ToolRouter pinned = new ToolRouter(address -> Optional.ofNullable(catalog.get(address)),
                ToolRouter.Settings.defaults().withAllowLoopback(true).withResolver(local).withSslContext(clientTls))) {

            assertThat(pinned.invoke(call("tls.tool", Map.of(), 10))).isEqualTo(Map.of("secure", true));
            assertThat(sniSeen).contains("tool.pinned.test");
            assertThat(hostSeen).containsExactly("tool.pinned.test:" + port);

            // same pinned address, another name: the certificate is checked against the name, so it fails
            ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> pinned.invoke(call("tls.other", Map.of(), 10)));
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).contains("<other.pinned.test>");
            assertThat(hostSeen).hasSize(1);
        } finally {
            https.stop(0);
        }
    }
}
