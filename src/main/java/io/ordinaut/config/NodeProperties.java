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

    public NodeProperties {
        // Names are kept lowercase and trimmed, as the docs write them, so "API, Executor" reads api,executor in the
        // start-up line, /health and /workers.
        roles = roles == null || roles.isEmpty() ? List.of("api", "scheduler", "executor")
                : roles.stream().map(r -> r.trim().toLowerCase(Locale.ROOT)).toList();
        for (String r : roles) {
            try {
                Role.valueOf(r.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ordinaut.node.roles: unknown role '" + r + "'; use api, scheduler and/or executor");
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
            throw badPublicUrl(value, e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw badPublicUrl(value, "it must be an absolute http or https URL with a host");
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw badPublicUrl(value, "it must have no credentials, query or fragment");
        }
        return value.endsWith("/") ? value.replaceAll("/+$", "") : value;
    }

    private static IllegalArgumentException badPublicUrl(String value, String why) {
        return new IllegalArgumentException("ordinaut.node.public-url (ORDINAUT_PUBLIC_URL) '" + masked(value) + "' is not usable: " + why
                + ", e.g. https://ordinaut.example.com");
    }

    /** The URL with any user info (user:password@) shown as ***, so the refusal never logs credentials. */
    static String masked(String url) {
        return url.replaceFirst("^([^:/?#]*://)[^/?#]*@", "$1***@");
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
