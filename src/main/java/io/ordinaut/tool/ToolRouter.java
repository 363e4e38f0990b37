package io.ordinaut.tool;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Function;

import javax.net.ssl.SSLContext;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ordinaut.agent.AgentScopes;
import io.ordinaut.metrics.OrdinautMetrics;

/**
 * The {@link ToolInvoker} used by runs: looks the address up in the catalog and calls the tool over
 * its transport, checking scopes ({@link AgentScopes#ADMIN} implies all), the input schema before and the
 * output schema after the call.
 * Unknown addresses are simulated unless {@link Settings#rejectUnknownTools()}. A catalogued tool is called
 * only when the task's owner trusts it ({@link ToolTrust}: its own, an admin's or an ownerless tool), over
 * every transport. The values its headers' {@code ${env:…}}/{@code ${secret:…}} resolve to are replaced by
 * {@code ***} in everything the call gives back, answer and error alike, before a run sees it. The catalog
 * function is consulted on every call (and by {@link #accepts}), so back it by an in-memory cache.
 */
public final class ToolRouter implements ToolInvoker, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ToolRouter.class);

    /**
     * @param rejectUnknownTools fail calls (and, through {@link #accepts}, task creation) for addresses
     *                           the catalog does not know, instead of simulating them
     * @param egress             where HTTP and MCP tools may be called
     * @param environment        where {@code ${env:…}}/{@code ${secret:…}} header values come from
     * @param clock              for simulated output timestamps
     * @param maxResponseBytes   largest HTTP answer read
     * @param secretEnvPrefixes  the only environment variable name prefixes headers may read
     * @param resolver           how host names are resolved, once per connection (a seam for tests)
     * @param mcpMaxConnections  most MCP connections kept open
     * @param mcpIdle            an MCP connection unused this long is closed
     * @param sslContext         TLS for tool calls; null for the JVM's default (trust store, javax.net.ssl.*)
     */
    public record Settings(boolean rejectUnknownTools, EgressPolicy egress,
                           Function<String, String> environment, Clock clock,
                           int maxResponseBytes, List<String> secretEnvPrefixes, HostResolver resolver,
                           int mcpMaxConnections, Duration mcpIdle, SSLContext sslContext) {

        public Settings {
            Objects.requireNonNull(egress, "egress");
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(clock, "clock");
            if (maxResponseBytes < 1) {
                throw new IllegalArgumentException("maxResponseBytes must be positive, got " + maxResponseBytes);
            }
            secretEnvPrefixes = secretEnvPrefixes == null ? List.of() : List.copyOf(secretEnvPrefixes);
            resolver = resolver == null ? HostResolver.SYSTEM : resolver;
            Objects.requireNonNull(mcpIdle, "mcpIdle");
        }

        public static Settings defaults() {
            return of(ToolProperties.defaults(), System::getenv, Clock.systemUTC());
        }

        public static Settings of(ToolProperties properties, Function<String, String> environment, Clock clock) {
            return new Settings(properties.rejectUnknownTools(), properties.egress(), environment, clock,
                    properties.maxResponseBytes(), properties.secretEnvPrefixes(), HostResolver.SYSTEM,
                    properties.mcpMaxConnections(), Duration.ofSeconds(properties.mcpIdleSeconds()), null);
        }

        public Settings withRejectUnknownTools(boolean reject) {
            return new Settings(reject, egress, environment, clock, maxResponseBytes, secretEnvPrefixes, resolver,
                    mcpMaxConnections, mcpIdle, sslContext);
        }

        public Settings withEgress(EgressPolicy policy) {
            return new Settings(rejectUnknownTools, policy, environment, clock, maxResponseBytes, secretEnvPrefixes, resolver,
                    mcpMaxConnections, mcpIdle, sslContext);
        }

        /** The same egress policy with loopback (and the node's own addresses) allowed or not. */
        public Settings withAllowLoopback(boolean allow) {
            return withEgress(egress.withAllowLoopback(allow));
        }

        public Settings withEnvironment(Function<String, String> env) {
            return new Settings(rejectUnknownTools, egress, env, clock, maxResponseBytes, secretEnvPrefixes, resolver,
                    mcpMaxConnections, mcpIdle, sslContext);
        }

        public Settings withSecretEnvPrefixes(List<String> prefixes) {
            return new Settings(rejectUnknownTools, egress, environment, clock, maxResponseBytes, prefixes, resolver,
                    mcpMaxConnections, mcpIdle, sslContext);
        }

        public Settings withClock(Clock newClock) {
            return new Settings(rejectUnknownTools, egress, environment, newClock, maxResponseBytes, secretEnvPrefixes, resolver,
                    mcpMaxConnections, mcpIdle, sslContext);
        }

        public Settings withResolver(HostResolver newResolver) {
            return new Settings(rejectUnknownTools, egress, environment, clock, maxResponseBytes, secretEnvPrefixes, newResolver,
                    mcpMaxConnections, mcpIdle, sslContext);
        }

        public Settings withSslContext(SSLContext context) {
            return new Settings(rejectUnknownTools, egress, environment, clock, maxResponseBytes, secretEnvPrefixes, resolver,
                    mcpMaxConnections, mcpIdle, context);
        }

        public Settings withMcpConnections(int max, Duration idle) {
            return new Settings(rejectUnknownTools, egress, environment, clock, maxResponseBytes, secretEnvPrefixes, resolver,
                    max, idle, sslContext);
        }

        /**
         * The environment as headers may read it: only names opened by the secret-env prefixes. Checked
         * again here although registration refuses other names, for rows written before the rule or by hand.
         */
        Function<String, String> headerEnvironment() {
            return name -> {
                if (!HeaderRules.openToTools(name, secretEnvPrefixes)) {
                    throw ToolCallException.permanent(HeaderRules.notOpen("a tool header", name, secretEnvPrefixes));
                }
                return environment.apply(name);
            };
        }
    }

    private final Function<String, Optional<ToolDefinition>> catalog;
    private final Settings settings;
    private final SimulatedTool simulated;
    private final SchemaCheck schemas = new SchemaCheck();
    private final EgressGuard guard;
    private final HttpTransport http;
    private final McpTransport mcp;
    private final OrdinautMetrics metrics;
    private final ToolTrust trust;
    private final List<CheckedPost> posts = new ArrayList<>();

    public ToolRouter(Function<String, Optional<ToolDefinition>> catalog, Settings settings) {
        this(catalog, settings, OrdinautMetrics.none());
    }

    /**
     * Without a way to look agents up: a tool with an owner is called only by its owner's tasks.
     *
     * @param metrics counts every call by tool address, transport and outcome
     */
    public ToolRouter(Function<String, Optional<ToolDefinition>> catalog, Settings settings, OrdinautMetrics metrics) {
        this(catalog, settings, metrics, ToolTrust.ownerlessOnly());
    }

    /** @param trust which tools a task may call, by their owners */
    ToolRouter(Function<String, Optional<ToolDefinition>> catalog, Settings settings, OrdinautMetrics metrics,
               ToolTrust trust) {
        this.trust = Objects.requireNonNull(trust, "trust");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.guard = new EgressGuard(settings.egress(), settings.resolver());
        this.simulated = new SimulatedTool(settings.clock());
        this.http = new HttpTransport(guard, settings.maxResponseBytes(), settings.clock(), settings.sslContext());
        this.mcp = new McpTransport(guard, schemas, settings.maxResponseBytes(), settings.mcpMaxConnections(), settings.mcpIdle(),
                settings.sslContext());
    }

    /**
     * Applies the tools' egress policy to a URL something else will call (webhooks).
     *
     * @throws ToolCallException when the destination is refused, or (retryable) cannot be resolved now
     */
    public void checkDestination(java.net.URI uri) {
        guard.check(uri);
    }

    /**
     * A sender of POSTs under the tools' egress policy, pinned to the addresses it checked (webhooks); closed
     * with this router.
     */
    public synchronized CheckedPost checkedPost(Duration timeout) {
        CheckedPost post = new CheckedPost(guard, timeout, settings.sslContext());
        posts.add(post);
        return post;
    }

    /** Whether a pipeline may use this address; pass as the predicate of {@code PipelineDefinition.parse}. */
    public boolean accepts(String address) {
        Optional<ToolDefinition> found = catalog.apply(address);
        if (found.isPresent()) {
            return !found.get().gone();
        }
        return !settings.rejectUnknownTools();
    }

    /**
     * What is already wrong with a step's arguments before any run: checked against the input schema of the
     * tool a run of {@code agentId}'s task would call at {@code address}, with the validator the call uses
     * (see {@link SchemaCheck#knownViolations} for what templated parts leave undecided). Empty when such a
     * run would not check them: an unknown address (simulated or refused by {@link #accepts}), a gone tool, a
     * tool without input schema — or another agent's tool the task may not call ({@link ToolTrust}): the run
     * fails there anyway, and its schema is that agent's business.
     *
     * @param args    the step's arguments with templated values as placeholders
     * @param unknown JSON pointers (RFC 6901) of the templated values
     * @return every violation, in the order a run's error lists them
     */
    public List<InputViolation> knownInputViolations(String address, UUID agentId, Map<String, Object> args, Set<String> unknown) {
        Optional<ToolDefinition> found = catalog.apply(address);
        if (found.isEmpty() || found.get().gone() || found.get().inputSchema() == null || !trust.trusts(agentId, found.get())) {
            return List.of();
        }
        ToolDefinition tool = found.get();
        try {
            return schemas.knownViolations("input of " + tool.address(), tool.inputSchema(), args, unknown);
        } catch (ToolCallException e) {
            // a schema the validator cannot compile fails every call as well
            return List.of(new InputViolation(List.of(), e.getMessage()));
        }
    }

    /**
     * Whether a pipeline of {@code agentId}'s task may call the tool at this address ({@link ToolTrust}): true for
     * an address the catalog does not know (it is simulated, or refused by {@link #accepts}).
     *
     * @throws ToolCallException retryable, when the tool owner's scopes cannot be read now
     */
    public boolean mayCall(String address, UUID agentId) {
        Optional<ToolDefinition> found = catalog.apply(address);
        return found.isEmpty() || trust.trusts(agentId, found.get());
    }

    /**
     * One way a step's arguments break its tool's input schema.
     *
     * @param path    where in the arguments: property names as strings, array indexes as integers; for a missing
     *                or unexpected property, that property
     * @param message as a run's error words it, e.g. {@code /days: string found, integer expected}
     */
    public record InputViolation(List<Object> path, String message) {

        /** How many violations a run's error lists before it says {@code … n more}. */
        public static final int LISTED = SchemaCheck.MAX_REPORTED;

        public InputViolation {
            path = List.copyOf(path);
        }
    }

    /** The scopes a task needs to use this address: the catalogued tool's, none for an unknown address. */
    public List<String> requiredScopes(String address) {
        return catalog.apply(address).map(ToolDefinition::scopes).orElse(List.of());
    }

    @Override
    public Object invoke(ToolCall call) {
        Optional<ToolDefinition> found = catalog.apply(call.address());
        // The address tags the metric only when registered: a pipeline may name any string.
        String tool = found.isPresent() ? found.get().address() : OrdinautMetrics.UNREGISTERED_TOOL;
        String transport = found.isPresent() ? found.get().transport() : ToolDefinition.SIMULATE;
        try {
            Object output = invoke(call, found);
            metrics.toolCall(tool, transport, "success");
            return output;
        } catch (ToolCallException e) {
            metrics.toolCall(tool, transport, e.retryable() ? "retryable_error" : "error");
            throw e;
        } catch (RuntimeException e) {
            metrics.toolCall(tool, transport, "error");
            throw e;
        }
    }

    private Object invoke(ToolCall call, Optional<ToolDefinition> found) {
        if (found.isEmpty()) {
            if (settings.rejectUnknownTools()) {
                throw ToolCallException.permanent("unknown tool '" + call.address() + "'");
            }
            return simulated.invoke(call);
        }
        ToolDefinition tool = found.get();
        // First: nothing of another agent's tool (not even whether it is gone) is acted on or told.
        trust.check(tool, call);
        if (tool.gone()) {
            throw ToolCallException.permanent("tool " + tool.address() + " is gone: its MCP server " + tool.endpoint()
                    + " no longer lists it (found by POST /tools/discover); discover again or delete it");
        }
        checkScopes(tool, call);
        // Before any transport resolves a header: a non-admin's tool never gets the operator's secrets.
        trust.checkSecrets(tool);
        if (tool.inputSchema() != null) {
            schemas.requireValid("input of " + tool.address(), tool.inputSchema(), call.args());
        }
        if (tool.transport().equals(ToolDefinition.SIMULATE)) {
            return checkedOutput(tool, simulated.invoke(call));
        }
        HeaderValues headers = HeaderValues.resolve(tool, settings.headerEnvironment());
        // The one place the operator's secrets are taken out of what a tool gives back. A tool may echo the headers
        // it received — in an error or in a 2xx answer alike — and its output is stored in the run, read by the task's
        // agent (REST, MCP, events, webhooks) and templated into later steps, which may send it anywhere.
        try {
            Object output = tool.transport().equals(ToolDefinition.HTTP) ? http.invoke(tool, call, headers)
                    : mcp.invoke(tool, call, headers);
            return headers.redact(checkedOutput(tool, output));
        } catch (ToolCallException e) {
            throw headers.redact(e);
        } catch (RuntimeException e) {
            // a bug in a transport: its text becomes the step's error too (TimedCalls)
            if (!headers.reveals(String.valueOf(e))) {
                throw e;
            }
            throw new ToolCallException(tool.address() + " failed: " + headers.redact(String.valueOf(e)), false, null, e);
        }
    }

    /** The output, once it matches the tool's output schema (checked as the tool gave it, before any redaction). */
    private Object checkedOutput(ToolDefinition tool, Object output) {
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
                : found.get().gone() || found.get().transport().equals(ToolDefinition.SIMULATE) && found.get().inputSchema() == null
                        && found.get().outputSchema() == null;
    }

    /**
     * Asks an MCP server ({@code tools/list}) for its tools, as definitions addressed
     * {@code <prefix>.<tool name>} with the server's input and output schemas; ready for the catalog. What the
     * server says has the headers' resolved secrets replaced by {@code ***} (descriptions, schemas), and a tool
     * whose name holds one is left out.
     *
     * @param headers stored as given in the definitions ({@code ${env:…}} stays unresolved)
     * @throws ToolCallException when the server is refused or cannot be listed
     */
    public List<ToolDefinition> discover(String serverUrl, String prefix, Map<String, String> headers) {
        return discover(serverUrl, prefix, headers, (address, reason) -> { });
    }

    /**
     * As {@link #discover(String, String, Map)}, telling {@code skipped} the address, redacted, and the reason
     * of each tool left out: its name is not a tool address, or it holds a value of the headers' secrets.
     */
    public List<ToolDefinition> discover(String serverUrl, String prefix, Map<String, String> headers,
                                         BiConsumer<String, String> skipped) {
        if (!prefix.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("prefix may only contain letters, digits, '_' and '-', got '" + prefix + "'");
        }
        Map<String, String> configured = headers == null ? Map.of() : headers;
        HeaderValues resolved = HeaderValues.resolve(prefix, configured, settings.headerEnvironment());
        List<ToolDefinition> listed;
        try {
            listed = mcp.discover(serverUrl, prefix, configured, resolved, Duration.ofSeconds(30),
                    address -> skipped.accept(shortened(resolved.redact(address)), "its name is not a tool address: a name"
                            + " may only contain letters, digits, '_' and '-'"));
        } catch (ToolCallException e) {
            throw resolved.redact(e);
        }
        // what the server says of its tools is stored and shown to every agent that may call them: the same rule as
        // for a call's answer (see invoke)
        List<ToolDefinition> redacted = new ArrayList<>(listed.size());
        for (ToolDefinition tool : listed) {
            if (resolved.reveals(tool.address())) {
                log.warn("Discovery of {} as {}.*: a tool whose name holds a value of the headers' secrets is left out", serverUrl, prefix);
                skipped.accept(resolved.redact(tool.address()), "its name contains a header secret");
                continue;
            }
            redacted.add(new ToolDefinition(tool.address(), tool.transport(), tool.endpoint(), resolved.redact(tool.description()),
                    redactedSchema(resolved, tool.inputSchema()), redactedSchema(resolved, tool.outputSchema()), tool.scopes(),
                    tool.timeoutSeconds(), tool.headers(), tool.gone(), tool.owner()));
        }
        return redacted;
    }

    /** A server's name is its own to choose: the answer shows at most 200 characters of it. */
    private static String shortened(String address) {
        return address.codePointCount(0, address.length()) <= 200 ? address
                : address.substring(0, address.offsetByCodePoints(0, 200)) + "…";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> redactedSchema(HeaderValues resolved, Map<String, Object> schema) {
        return (Map<String, Object>) resolved.redact((Object) schema);
    }

    /**
     * Checks a URL as a call to it would be checked; used when tools are registered.
     *
     * @throws ToolCallException not retryable when the egress policy refuses it, retryable when its host
     *                           cannot be resolved now
     */
    void checkEgress(URI endpoint) {
        guard.check(endpoint);
    }

    /** Open MCP server connections (for tests of eviction). */
    int mcpConnections() {
        return mcp.openConnections();
    }

    SchemaCheck schemas() {
        return schemas;
    }

    private static void checkScopes(ToolDefinition tool, ToolCall call) {
        if (call.grantedScopes() == null) {
            return;
        }
        List<String> missing = AgentScopes.missing(call.grantedScopes(), tool.scopes());
        if (!missing.isEmpty()) {
            throw ToolCallException.permanent(tool.address() + " needs scopes " + missing + " that the task's agent does not hold");
        }
    }

    /** Closes cached MCP connections and pooled HTTP connections. */
    @Override
    public void close() {
        synchronized (this) {
            posts.forEach(CheckedPost::close);
        }
        mcp.close();
        http.close();
    }
}
