package io.ordinaut.tool;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A catalogued tool.
 *
 * @param address        e.g. {@code weather-mcp.forecast}; for MCP, {@code <server>.<tool name>}
 * @param transport      {@code http}, {@code mcp} or {@code simulate}
 * @param endpoint       absolute http(s) URL; required unless simulated
 * @param description    for people and agents choosing tools; may be null
 * @param inputSchema    JSON Schema the rendered arguments must match; null = unchecked
 * @param outputSchema   JSON Schema the output must match; null = unchecked
 * @param scopes         scopes a task needs to use the tool
 * @param timeoutSeconds upper bound for one call (the step's timeout may be shorter)
 * @param headers        extra request headers; a value may contain {@code ${env:NAME}} or
 *                       {@code ${secret:NAME}}, read from the environment at call time, so the
 *                       definition never holds the secret itself
 * @param gone           its MCP server no longer lists it (found by {@code POST /tools/discover}); calls fail
 * @param owner          the agent that registered it ({@code created_by}), as the catalog read it; null when it
 *                       has none. Decides whose pipelines may call it ({@link ToolTrust}); not part of a request
 */
public record ToolDefinition(
        String address,
        String transport,
        String endpoint,
        String description,
        Map<String, Object> inputSchema,
        Map<String, Object> outputSchema,
        List<String> scopes,
        int timeoutSeconds,
        Map<String, String> headers,
        boolean gone,
        UUID owner) {

    public static final String HTTP = "http";
    public static final String MCP = "mcp";
    public static final String SIMULATE = "simulate";
    private static final Set<String> TRANSPORTS = Set.of(HTTP, MCP, SIMULATE);
    static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)+");

    public ToolDefinition {
        Objects.requireNonNull(address, "address");
        if (!ADDRESS.matcher(address).matches()) {
            throw new IllegalArgumentException("tool address must look like 'namespace.tool', got '" + address + "'");
        }
        if (!TRANSPORTS.contains(transport)) {
            throw new IllegalArgumentException("transport must be one of " + TRANSPORTS + ", got " + transport);
        }
        if (!transport.equals(SIMULATE)) {
            if (endpoint == null) {
                throw new IllegalArgumentException(transport + " tool " + address + " needs an endpoint");
            }
            URI uri = URI.create(endpoint);
            if (!uri.isAbsolute() || uri.getHost() == null
                    || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))) {
                throw new IllegalArgumentException("endpoint of " + address + " must be an absolute http(s) URL");
            }
        }
        if (timeoutSeconds < 1 || timeoutSeconds > 3600) {
            throw new IllegalArgumentException("timeoutSeconds must be 1..3600, got " + timeoutSeconds);
        }
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public ToolDefinition(String address, String transport, String endpoint, String description,
                          Map<String, Object> inputSchema, Map<String, Object> outputSchema, List<String> scopes,
                          int timeoutSeconds, Map<String, String> headers) {
        this(address, transport, endpoint, description, inputSchema, outputSchema, scopes, timeoutSeconds, headers, false);
    }

    public ToolDefinition(String address, String transport, String endpoint, String description,
                          Map<String, Object> inputSchema, Map<String, Object> outputSchema, List<String> scopes,
                          int timeoutSeconds, Map<String, String> headers, boolean gone) {
        this(address, transport, endpoint, description, inputSchema, outputSchema, scopes, timeoutSeconds, headers, gone, null);
    }

    public static ToolDefinition http(String address, String endpoint) {
        return new ToolDefinition(address, HTTP, endpoint, null, null, null, List.of(), 30, Map.of());
    }

    public static ToolDefinition mcp(String address, String endpoint) {
        return new ToolDefinition(address, MCP, endpoint, null, null, null, List.of(), 30, Map.of());
    }

    public ToolDefinition withSchemas(Map<String, Object> input, Map<String, Object> output) {
        return new ToolDefinition(address, transport, endpoint, description, input, output, scopes, timeoutSeconds, headers, gone, owner);
    }

    public ToolDefinition withHeaders(Map<String, String> newHeaders) {
        return new ToolDefinition(address, transport, endpoint, description, inputSchema, outputSchema, scopes, timeoutSeconds, newHeaders, gone, owner);
    }

    public ToolDefinition withScopes(List<String> newScopes) {
        return new ToolDefinition(address, transport, endpoint, description, inputSchema, outputSchema, newScopes, timeoutSeconds, headers, gone, owner);
    }

    public ToolDefinition withTimeoutSeconds(int seconds) {
        return new ToolDefinition(address, transport, endpoint, description, inputSchema, outputSchema, scopes, seconds, headers, gone, owner);
    }
}
