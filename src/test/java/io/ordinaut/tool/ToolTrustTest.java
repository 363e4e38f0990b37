package io.ordinaut.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.ordinaut.metrics.OrdinautMetrics;
import io.ordinaut.tool.TestHttpServer.Answer;

/** Whose tools a task's steps may call, over both transports, against a real local server. */
class ToolTrustTest {

    private static final UUID ALICE = UUID.randomUUID();
    private static final UUID BOB = UUID.randomUUID();
    private static final UUID ADMIN = UUID.randomUUID();

    private final Map<String, ToolDefinition> catalog = new HashMap<>();
    private final Map<UUID, Set<String>> scopes = new HashMap<>(Map.of(ALICE, Set.of("tools:write"),
            BOB, Set.of("tools:write"), ADMIN, Set.of("admin")));
    private TestHttpServer server;
    private ToolRouter router;

    @BeforeEach
    void start() throws Exception {
        server = new TestHttpServer().on("/t", Answer.json(200, "{\"ok\": true}"));
        router = new ToolRouter(address -> Optional.ofNullable(catalog.get(address)),
                ToolRouter.Settings.defaults().withAllowLoopback(true), OrdinautMetrics.none(),
                new ToolTrust(agent -> scopes.getOrDefault(agent, Set.of())));
    }

    @AfterEach
    void stop() {
        router.close();
        server.close();
    }

    private static ToolCall callBy(UUID agent, String address) {
        return new ToolCall(address, Map.of("secret", "alice's data"), "k", "r", 1, Duration.ofSeconds(5), Set.of("admin"), agent);
    }

    private void register(String address, String transport, UUID owner) {
        catalog.put(address, new ToolDefinition(address, transport, server.url("/t"), null, null, null, null, 30, null, false,
                owner));
    }

    @Test
    void another_agents_tool_is_not_called_over_http_or_mcp() {
        register("noop.run", ToolDefinition.HTTP, BOB);
        register("noop.mcp", ToolDefinition.MCP, BOB);

        for (String address : new String[] {"noop.run", "noop.mcp"}) {
            ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> router.invoke(callBy(ALICE, address)));

            assertThat(e.retryable()).as(address).isFalse();
            assertThat(e.getMessage()).as(address)
                    .contains("tool " + address + " belongs to another agent (" + BOB + ")")
                    .contains("only its own agent's tools and admins' tools")
                    .doesNotContain(server.url(""));
        }
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void another_agents_gone_tool_is_refused_without_naming_its_server() {
        catalog.put("noop.gone", new ToolDefinition("noop.gone", ToolDefinition.MCP, server.url("/t"), null, null, null,
                null, 30, null, true, BOB));

        ToolCallException e = catchThrowableOfType(ToolCallException.class, () -> router.invoke(callBy(ALICE, "noop.gone")));

        assertThat(e.getMessage()).contains("belongs to another agent").doesNotContain(server.url(""));
    }

    @Test
    void own_admins_and_ownerless_tools_are_called() {
        register("mine.run", ToolDefinition.HTTP, ALICE);
        register("admin.run", ToolDefinition.HTTP, ADMIN);
        register("legacy.run", ToolDefinition.HTTP, null);

        for (String address : new String[] {"mine.run", "admin.run", "legacy.run"}) {
            assertThat(router.invoke(callBy(ALICE, address))).as(address).isEqualTo(Map.of("ok", true));
        }
        assertThat(server.requests("/t")).hasSize(3);
    }

    @Test
    void an_admins_task_does_not_call_a_non_admins_tool() {
        register("noop.run", ToolDefinition.HTTP, BOB);

        assertThat(catchThrowableOfType(ToolCallException.class, () -> router.invoke(callBy(ADMIN, "noop.run"))).getMessage())
                .contains("belongs to another agent");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void a_call_on_no_agents_behalf_trusts_only_admins_and_ownerless_tools() {
        register("admin.run", ToolDefinition.HTTP, ADMIN);
        register("legacy.run", ToolDefinition.HTTP, null);
        register("noop.run", ToolDefinition.HTTP, BOB);

        assertThat(router.invoke(callBy(null, "admin.run"))).isEqualTo(Map.of("ok", true));
        assertThat(router.invoke(callBy(null, "legacy.run"))).isEqualTo(Map.of("ok", true));
        assertThat(catchThrowableOfType(ToolCallException.class, () -> router.invoke(callBy(null, "noop.run"))).retryable())
                .isFalse();
        assertThat(server.requests("/t")).hasSize(2);
    }

    @Test
    void the_owners_admin_scope_is_asked_at_call_time() {
        register("admin.run", ToolDefinition.HTTP, ADMIN);
        scopes.put(ADMIN, Set.of("tools:write"));

        assertThat(catchThrowableOfType(ToolCallException.class, () -> router.invoke(callBy(ALICE, "admin.run"))).getMessage())
                .contains("belongs to another agent (" + ADMIN + ")");
        assertThat(server.requests()).isEmpty();
    }
}
