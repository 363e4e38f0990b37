package io.ordinaut.config;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * ordinaut.node.*: what this node does.
 *
 * @param roles which duties this node runs: {@code api} (REST, MCP, the console; without it they answer 503 and only
 *              the health checks and actuator answer), {@code scheduler} (Quartz fires triggers), {@code executor}
 *              (drains the run queue). Default: all three.
 * @param id    the node's name in leases and heartbeats; default host name plus process id.
 * @param publicUrl the base URL clients reach the node (or its load balancer) at, e.g.
 *              {@code https://ordinaut.example.com}: an http or https URL with a host, optionally a path, no
 *              query, fragment or credentials; a trailing '/' is dropped. The addresses the node advertises
 *              (the MCP protected resource metadata and the {@code /mcp} 401's {@code resource_metadata}) are
 *              built on it. Unset (the default): built from the request — its Host header, or a trusted
 *              proxy's forwarding headers — which any client can make name another host.
 */
@ConfigurationProperties("ordinaut.node")
public record NodeProperties(List<String> roles, String id, String publicUrl) {

    public enum Role { API, SCHEDULER, EXECUTOR }

    static final String ACCEPTED_ROLES = "a comma-separated list of api, scheduler and executor (unset: all three)";

    public NodeProperties {
        // Names are kept lowercase and trimmed, as the docs write them, so "API, Executor" reads api,executor in the
        // start-up line, /health and /workers.
        roles = roles == null || roles.isEmpty() ? List.of("api", "scheduler", "executor")
                : roles.stream().map(r -> r.trim().toLowerCase(Locale.ROOT)).toList();
        for (String r : roles) {
            try {
                Role.valueOf(r.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw Setting.invalid("ordinaut.node.roles", String.join(",", roles), ACCEPTED_ROLES);
            }
        }
        if (id == null || id.isBlank()) {
            id = hostName() + "-" + ManagementFactory.getRuntimeMXBean().getPid();
        }
        publicUrl = publicUrl == null || publicUrl.isBlank() ? null : publicUrl(publicUrl.trim());
    }

    private static String publicUrl(String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw badPublicUrl(value);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
                || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw badPublicUrl(value);
        }
        return value.endsWith("/") ? value.replaceAll("/+$", "") : value;
    }

    /** The refusal shows credentials as https://***@host (Setting.invalid). */
    private static InvalidSettingException badPublicUrl(String value) {
        return Setting.invalid("ordinaut.node.public-url", value, "an http or https URL with a host and optionally a path, without"
                + " credentials, query or fragment, such as https://ordinaut.example.com (unset: taken from each request)");
    }

    public Set<Role> roleSet() {
        Set<Role> set = EnumSet.noneOf(Role.class);
        roles.forEach(r -> set.add(Role.valueOf(r.toUpperCase(Locale.ROOT))));
        return set;
    }

    public boolean has(Role role) {
        return roleSet().contains(role);
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
