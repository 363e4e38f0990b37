package io.ordinaut.tool;

import io.ordinaut.tool.TestHttpServer.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ToolRouterTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-10T07:30:00Z"), ZoneOffset.UTC);
    private static final Map<String, Object> CITY_SCHEMA = Map.of(
            "type", "object",
            "required", List.of("city"),
            "properties", Map.of("city", Map.of("type", "string"), "days", Map.of("type", "integer", "maximum", 7)));
    private static final Map<String, Object> FORECAST_SCHEMA = Map.of(
            "type", "object",
            "properties", Map.of("days", Map.of("type", "array",
                    "items", Map.of("type", "object", "properties", Map.of("temp", Map.of("type", "number"))))));

    private final Map<String, ToolDefinition> catalog = new HashMap<>();
    private TestHttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = new TestHttpServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ToolRouter router(ToolRouter.Settings settings) {
        return new ToolRouter(address -> Optional.ofNullable(catalog.get(address)), settings.withClock(CLOCK));
    }

    private static ToolCall call(String address, Map<String, Object> args) {
        return new ToolCall(address, args, "key", "run", 1, Duration.ofSeconds(5), null);
    }

    @Test
    void unknown_tool_is_simulated_by_default() {
        ToolRouter router = router(ToolRouter.Settings.defaults().withAllowLoopback(true));

        Object output = router.invoke(call("telegram.send", Map.of("text", "hi")));

        assertThat(output).isEqualTo(Map.of(
                "status", "simulated",
                "tool_address", "telegram.send",
                "input_args", Map.of("text", "hi"),
                "timestamp", "2025-03-10T07:30:00Z",
                "message", "Simulated execution of telegram.send"));
        assertThat(router.accepts("telegram.send")).isTrue();
    }

    @Test
    void unknown_tool_is_rejected_when_configured() {
        catalog.put("known.tool", ToolDefinition.http("known.tool", server.url("/x")));
        ToolRouter router = router(ToolRouter.Settings.defaults().withAllowLoopback(true).withRejectUnknownTools(true));

        ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> router.invoke(call("telegram.send", Map.of())));

        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("unknown tool 'telegram.send'");
        assertThat(router.accepts("telegram.send")).isFalse();
        assertThat(router.accepts("known.tool")).isTrue();
    }

    @Test
    void input_violating_the_schema_fails_before_the_call_with_json_pointers() {
        catalog.put("weather.forecast", ToolDefinition.http("weather.forecast", server.url("/f")).withSchemas(CITY_SCHEMA, null));
        ToolRouter router = router(ToolRouter.Settings.defaults().withAllowLoopback(true));

        ToolCallException e = catchThrowableOfType(ToolCallException.class,
                () -> router.invoke(call("weather.forecast", Map.of("city", 42, "days", 9))));

        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("input of weather.forecast").contains("/city").contains("/days");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void output_violating_the_schema_fails_the_call_with_json_pointer() {
        catalog.put("weather.forecast", ToolDefinition.http("weather.forecast", server.url("/f")).withSchemas(null, FORECAST_SCHEMA));
        server.on("/f", Answer.json(200, "{\"days\": [{\"temp\": 20}, {\"temp\": \"hot\"}]}"));
        ToolRouter router = router(ToolRouter.Settings.defaults().withAllowLoopback(true));

        ToolCallException e = catchThrowableOfType(ToolCallException.class,
                () -> router.invoke(call("weather.forecast", Map.of())));

        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("output of weather.forecast").contains("/days/1/temp");
    }

    @Test
    void valid_input_and_output_pass() {
        catalog.put("weather.forecast", ToolDefinition.http("weather.forecast", server.url("/f"))
                .withSchemas(CITY_SCHEMA, FORECAST_SCHEMA));
        server.on("/f", Answer.json(200, "{\"days\": [{\"temp\": 20.5}]}"));

        Object output = router(ToolRouter.Settings.defaults().withAllowLoopback(true)).invoke(call("weather.forecast", Map.of("city", "Rome")));

        assertThat(output).isEqualTo(Map.of("days", List.of(Map.of("temp", 20.5))));
    }

    @Test
    void tool_needing_scopes_the_task_lacks_is_refused() {
        catalog.put("crm.delete", ToolDefinition.http("crm.delete", server.url("/d")).withScopes(List.of("crm:write")));
        ToolRouter router = router(ToolRouter.Settings.defaults().withAllowLoopback(true));
        ToolCall call = new ToolCall("crm.delete", Map.of(), "k", "r", 1, Duration.ofSeconds(5), Set.of("crm:read"));

        ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> router.invoke(call));

        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("crm:write");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void admin_scope_implies_every_scope() {
        catalog.put("crm.delete", ToolDefinition.http("crm.delete", server.url("/d")).withScopes(List.of("crm:write")));
        server.on("/d", Answer.json(200, "{\"deleted\": 1}"));
        ToolCall call = new ToolCall("crm.delete", Map.of(), "k", "r", 1, Duration.ofSeconds(5), Set.of("admin"));

        assertThat(router(ToolRouter.Settings.defaults().withAllowLoopback(true)).invoke(call)).isEqualTo(Map.of("deleted", 1));
    }

    @Test
    void headers_may_not_read_the_nodes_own_settings() {
        catalog.put("crm.leak", ToolDefinition.http("crm.leak", server.url("/leak"))
                .withHeaders(Map.of("X-Db", "${env:ORDINAUT_DB_PASSWORD}")));
        ToolRouter router = router(ToolRouter.Settings.defaults().withAllowLoopback(true).withEnvironment(Map.of("ORDINAUT_DB_PASSWORD", "pw-1234")::get));

        ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> router.invoke(call("crm.leak", Map.of())));

        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("ORDINAUT_DB_PASSWORD").doesNotContain("pw-1234");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void headers_read_at_run_time_only_variables_opened_by_the_prefixes_even_when_stored_otherwise() {
        // a row written before the rule, or by hand: the call itself refuses it
        catalog.put("crm.admin", ToolDefinition.http("crm.admin", server.url("/leak"))
                .withHeaders(Map.of("Authorization", "Bearer ${env:ORDINAUT_ADMIN_TOKEN}")));
        ToolRouter router = router(ToolRouter.Settings.defaults().withAllowLoopback(true)
                .withEnvironment(Map.of("ORDINAUT_ADMIN_TOKEN", "admin-t0ken-value")::get));

        ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> router.invoke(call("crm.admin", Map.of())));

        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("ordinaut.tools.secret-env-prefixes").doesNotContain("admin-t0ken-value");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void loopback_is_refused_by_default() {
        catalog.put("local.tool", ToolDefinition.http("local.tool", server.url("/x")));
        ToolRouter router = router(ToolRouter.Settings.defaults());

        ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> router.invoke(call("local.tool", Map.of())));

        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("'127.0.0.1'").contains("loopback");
        assertThat(server.requests()).isEmpty();
    }
}
