package io.ordinaut.tool;

import java.util.List;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;

import io.ordinaut.config.Setting;

/**
 * ordinaut.tools.*: the tool catalog, where tools may be called, and what a call may bring back.
 * Link-local addresses (169.254.0.0/16, fe80::/10) and cloud metadata endpoints are refused whatever
 * the lists below say; loopback, unspecified and the node's own addresses unless opted in (see
 * {@link EgressPolicy}). Each redirect hop is checked again, and a call connects to exactly the address
 * that was checked.
 *
 * @param rejectUnknownTools     refuse pipelines (at task creation, 400) and calls (at run time) that use an
 *                               address missing from the catalog, instead of simulating them (default false:
 *                               the seed's simulation answers unknown tools)
 * @param allowLoopback          whether HTTP and MCP tools may live on 127.0.0.0/8, ::1, 0.0.0.0, :: or one of the
 *                               node's own interface addresses (default false: a tool must not reach the node's
 *                               own API or other services bound to the host)
 * @param allowedHosts           when this or {@code allowedCidrs} is non-empty, only matching destinations (and
 *                               loopback, if allowed) may be called; {@code *.example.com} matches subdomains
 * @param deniedHosts            never called; same patterns
 * @param allowedCidrs           e.g. {@code 10.1.0.0/16}
 * @param deniedCidrs            never called, e.g. {@code 10.0.0.0/8}
 * @param maxResponseBytes       largest HTTP tool answer read (default {@value #DEFAULT_MAX_RESPONSE_BYTES});
 *                               a larger one fails the call, not retried
 * @param catalogRefreshSeconds  how often each node looks for catalog changes made by other nodes (default
 *                               {@value #DEFAULT_CATALOG_REFRESH_SECONDS}); changes made through this node apply
 *                               at once. Agent scopes read at run time are cached as long.
 * @param secretEnvPrefixes      the only environment variables tool headers may name ({@code ${env:NAME}},
 *                               {@code ${secret:NAME}}): those whose names start with one of these prefixes
 *                               (default {@code ORDINAUT_TOOL_}). An allow-list, so that no other part of the
 *                               node's environment or configuration (admin token, database credentials,
 *                               {@code JAVA_TOOL_OPTIONS}…) can be carried away by a registered tool.
 * @param mcpMaxConnections      most MCP server connections kept open at once (default
 *                               {@value #DEFAULT_MCP_MAX_CONNECTIONS}); the least recently used is closed first
 * @param mcpIdleSeconds         an MCP connection unused this long is closed (default
 *                               {@value #DEFAULT_MCP_IDLE_SECONDS})
 */
@ConfigurationProperties("ordinaut.tools")
public record ToolProperties(
        Boolean rejectUnknownTools,
        Boolean allowLoopback,
        List<String> allowedHosts,
        List<String> deniedHosts,
        List<String> allowedCidrs,
        List<String> deniedCidrs,
        Integer maxResponseBytes,
        Integer catalogRefreshSeconds,
        List<String> secretEnvPrefixes,
        Integer mcpMaxConnections,
        Integer mcpIdleSeconds) {

    public static final int DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
    public static final int DEFAULT_CATALOG_REFRESH_SECONDS = 5;
    public static final List<String> DEFAULT_SECRET_ENV_PREFIXES = List.of("ORDINAUT_TOOL_");
    public static final int DEFAULT_MCP_MAX_CONNECTIONS = 64;
    public static final int DEFAULT_MCP_IDLE_SECONDS = 300;
    private static final String SECRET_ENV_PREFIXES = "ordinaut.tools.secret-env-prefixes";
    private static final Pattern ENV_PREFIX = Pattern.compile("[A-Za-z][A-Za-z0-9_]{3,99}");
    /** The node's own secrets and JVM options: no prefix may open them, even by mistake. */
    private static final List<String> NODE_ONLY = List.of("ORDINAUT_ADMIN_TOKEN", "ORDINAUT_DB_", "ORDINAUT_SECURITY_",
            "SPRING_", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "JAVA_OPTS");

    public ToolProperties {
        rejectUnknownTools = rejectUnknownTools != null && rejectUnknownTools;
        allowLoopback = allowLoopback != null && allowLoopback;
        allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
        deniedHosts = deniedHosts == null ? List.of() : List.copyOf(deniedHosts);
        allowedCidrs = allowedCidrs == null ? List.of() : List.copyOf(allowedCidrs);
        deniedCidrs = deniedCidrs == null ? List.of() : List.copyOf(deniedCidrs);
        maxResponseBytes = range("max-response-bytes", maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 1024, 512 * 1024 * 1024);
        catalogRefreshSeconds = range("catalog-refresh-seconds", catalogRefreshSeconds, DEFAULT_CATALOG_REFRESH_SECONDS, 1, 3600);
        secretEnvPrefixes = secretEnvPrefixes == null ? DEFAULT_SECRET_ENV_PREFIXES : List.copyOf(secretEnvPrefixes);
        for (String prefix : secretEnvPrefixes) {
            // a prefix of a letter or two would open most of the environment again
            if (!ENV_PREFIX.matcher(prefix).matches()) {
                throw Setting.invalid(SECRET_ENV_PREFIXES, String.join(",", secretEnvPrefixes), "comma-separated prefixes of 4 to 100"
                        + " letters, digits or '_', each starting with a letter, such as ORDINAUT_TOOL_ ('" + prefix + "' is not one)");
            }
            for (String own : NODE_ONLY) {
                if (own.startsWith(prefix) || prefix.startsWith(own)) {
                    throw Setting.invalid(SECRET_ENV_PREFIXES, String.join(",", secretEnvPrefixes), "prefixes of your tools' own"
                            + " variables, such as ORDINAUT_TOOL_ ('" + prefix + "' would open the node's own " + own + "* to tools)");
                }
            }
        }
        mcpMaxConnections = range("mcp-max-connections", mcpMaxConnections, DEFAULT_MCP_MAX_CONNECTIONS, 1, 10_000);
        mcpIdleSeconds = range("mcp-idle-seconds", mcpIdleSeconds, DEFAULT_MCP_IDLE_SECONDS, 1, 86_400);
        cidrs("allowed-cidrs", allowedCidrs);
        cidrs("denied-cidrs", deniedCidrs);
    }

    public static ToolProperties defaults() {
        return new ToolProperties(null, null, null, null, null, null, null, null, null, null, null);
    }

    EgressPolicy egress() {
        return egress(allowLoopback, allowedHosts, deniedHosts, allowedCidrs, deniedCidrs);
    }

    private static EgressPolicy egress(boolean loopback, List<String> allowedHosts, List<String> deniedHosts,
                                       List<String> allowedCidrs, List<String> deniedCidrs) {
        return new EgressPolicy(loopback, allowedHosts, deniedHosts, allowedCidrs, deniedCidrs);
    }

    private static int range(String name, Integer value, int fallback, int min, int max) {
        return Setting.between("ordinaut.tools." + name, value, fallback, min, max);
    }

    /** Checked here rather than on the first call (EgressPolicy parses them again). */
    private static void cidrs(String name, List<String> cidrs) {
        for (String cidr : cidrs) {
            try {
                Cidr.parse(cidr);
            } catch (IllegalArgumentException e) {
                throw Setting.invalid("ordinaut.tools." + name, String.join(",", cidrs),
                        "comma-separated CIDR blocks such as 10.0.0.0/8 or fd00::/8 ('" + cidr + "' is not one)");
            }
        }
    }
}
