package io.ordinaut.tool;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@link ToolInvoker} used by runs: looks the address up in the catalog and calls the tool over
 * its transport, checking scopes, the input schema before and the output schema after the call.
 * Unknown addresses are simulated unless {@link Settings#rejectUnknownTools()}. The catalog function
 * is consulted on every call (and by {@link #accepts}), so back it by an in-memory cache.
 */
public final class ToolRouter implements ToolInvoker, AutoCloseable {

    /**
     * @param rejectUnknownTools fail calls (and, through {@link #accepts}, task creation) for addresses
     *                           the catalog does not know, instead of simulating them
     * @param egress             where HTTP and MCP tools may be called
     * @param environment        where {@code ${env:…}}/{@code ${secret:…}} header values come from
     * @param clock              for simulated output timestamps
     */
    public record Settings(boolean rejectUnknownTools, EgressPolicy egress,
                           Function<String, String> environment, Clock clock) {

        public Settings {
            Objects.requireNonNull(egress, "egress");
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(clock, "clock");
        }

        public static Settings defaults() {
            return new Settings(false, EgressPolicy.defaults(), System::getenv, Clock.systemUTC());
        }

        public Settings withRejectUnknownTools(boolean reject) {
            return new Settings(reject, egress, environment, clock);
        }

        public Settings withEgress(EgressPolicy policy) {
            return new Settings(rejectUnknownTools, policy, environment, clock);
        }

        public Settings withEnvironment(Function<String, String> env) {
            return new Settings(rejectUnknownTools, egress, env, clock);
        }

        public Settings withClock(Clock newClock) {
            return new Settings(rejectUnknownTools, egress, environment, newClock);
        }
    }

    private final Function<String, Optional<ToolDefinition>> catalog;
    private final Settings settings;
    private final SimulatedTool simulated;
    private final SchemaCheck schemas = new SchemaCheck();
    private final HttpTransport http;
    private final McpTransport mcp;

    public ToolRouter(Function<String, Optional<ToolDefinition>> catalog, Settings settings) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.settings = Objects.requireNonNull(settings, "settings");
        EgressGuard guard = new EgressGuard(settings.egress());
        this.simulated = new SimulatedTool(settings.clock());
        this.http = new HttpTransport(guard, settings.environment());
        this.mcp = new McpTransport(guard, settings.environment(), schemas);
    }

    /** Whether a pipeline may use this address; pass as the predicate of {@code PipelineDefinition.parse}. */
    public boolean accepts(String address) {
        return !settings.rejectUnknownTools() || catalog.apply(address).isPresent();
    }

    @Override
    public Object invoke(ToolCall call) {
        Optional<ToolDefinition> found = catalog.apply(call.address());
        if (found.isEmpty()) {
            if (settings.rejectUnknownTools()) {
                throw ToolCallException.permanent("unknown tool '" + call.address() + "'");
            }
            return simulated.invoke(call);
        }
        ToolDefinition tool = found.get();
        checkScopes(tool, call);
        if (tool.inputSchema() != null) {
            schemas.requireValid("input of " + tool.address(), tool.inputSchema(), call.args());
        }
        Object output = switch (tool.transport()) {
            case ToolDefinition.HTTP -> http.invoke(tool, call);
            case ToolDefinition.MCP -> mcp.invoke(tool, call);
            default -> simulated.invoke(call);
        };
        if (tool.outputSchema() != null) {
            schemas.requireValid("output of " + tool.address(), tool.outputSchema(), output);
        }
        return output;
    }

    /** True for calls that will be simulated. */
    @Override
    public boolean completesImmediately(ToolCall call) {
        Optional<ToolDefinition> found = catalog.apply(call.address());
        return found.isEmpty()
                ? !settings.rejectUnknownTools()
                : found.get().transport().equals(ToolDefinition.SIMULATE) && found.get().inputSchema() == null
                        && found.get().outputSchema() == null;
    }

    /**
     * Asks an MCP server ({@code tools/list}) for its tools, as definitions addressed
     * {@code <prefix>.<tool name>} with the server's input and output schemas; ready for the catalog.
     *
     * @param headers stored as given in the definitions ({@code ${env:…}} stays unresolved)
     * @throws ToolCallException when the server is refused or cannot be listed
     */
    public List<ToolDefinition> discover(String serverUrl, String prefix, Map<String, String> headers) {
        if (!prefix.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("prefix may only contain letters, digits, '_' and '-', got '" + prefix + "'");
        }
        return mcp.discover(serverUrl, prefix, headers == null ? Map.of() : headers, Duration.ofSeconds(30));
    }

    private static void checkScopes(ToolDefinition tool, ToolCall call) {
        if (call.grantedScopes() == null || call.grantedScopes().containsAll(tool.scopes())) {
            return;
        }
        List<String> missing = tool.scopes().stream().filter(s -> !call.grantedScopes().contains(s)).toList();
        throw ToolCallException.permanent(tool.address() + " needs scopes " + missing + " that the task was not granted");
    }

    /** Closes cached MCP connections. */
    @Override
    public void close() {
        mcp.close();
    }
}
