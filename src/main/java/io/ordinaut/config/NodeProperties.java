package io.ordinaut.config;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * ordinaut.node.*: what this node does.
 *
 * @param roles which duties this node runs: {@code api} (REST), {@code scheduler} (Quartz fires
 *              triggers), {@code executor} (drains the run queue). Default: all three.
 * @param id    the node's name in leases and heartbeats; default host name plus process id.
 */
@ConfigurationProperties("ordinaut.node")
public record NodeProperties(List<String> roles, String id) {

    public enum Role { API, SCHEDULER, EXECUTOR }

    public NodeProperties {
        roles = roles == null || roles.isEmpty() ? List.of("api", "scheduler", "executor") : List.copyOf(roles);
        for (String r : roles) {
            try {
                Role.valueOf(r.trim().toUpperCase());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ordinaut.node.roles: unknown role '" + r + "'; use api, scheduler and/or executor");
            }
        }
        if (id == null || id.isBlank()) {
            id = hostName() + "-" + ManagementFactory.getRuntimeMXBean().getPid();
        }
    }

    public Set<Role> roleSet() {
        Set<Role> set = EnumSet.noneOf(Role.class);
        roles.forEach(r -> set.add(Role.valueOf(r.trim().toUpperCase())));
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
