package io.ordinaut.tool;

import java.util.List;

/**
 * Where tools may be called (SSRF guard). Link-local addresses (169.254.0.0/16, fe80::/10) and
 * cloud metadata endpoints (169.254.169.254, fd00:ec2::254, 100.100.100.200,
 * metadata.google.internal) are always refused, whatever the lists say. Loopback, unspecified
 * (0.0.0.0, ::) and the node's own interface addresses are refused unless {@code allowLoopback} or an
 * allowed CIDR (narrower than /0) names them. IPv4 addresses embedded in IPv6 ones (IPv4-mapped,
 * IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged as the IPv4 address.
 * Private ranges (10/8, 172.16/12, 192.168/16, fc00::/7) are allowed unless denied.
 *
 * @param allowLoopback whether loopback, unspecified and the node's own addresses may be called
 *                      (default false)
 * @param allowedHosts  when this or {@code allowedCidrs} is non-empty, only matching destinations
 *                      (and loopback, if allowed) may be called; {@code *.example.com} matches subdomains
 * @param deniedHosts   never called; same patterns
 * @param allowedCidrs  e.g. {@code 10.1.0.0/16}, {@code fd00::/8}
 * @param deniedCidrs   never called
 */
public record EgressPolicy(
        boolean allowLoopback,
        List<String> allowedHosts,
        List<String> deniedHosts,
        List<String> allowedCidrs,
        List<String> deniedCidrs) {

    public EgressPolicy {
        allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
        deniedHosts = deniedHosts == null ? List.of() : List.copyOf(deniedHosts);
        allowedCidrs = allowedCidrs == null ? List.of() : List.copyOf(allowedCidrs);
        deniedCidrs = deniedCidrs == null ? List.of() : List.copyOf(deniedCidrs);
        // fail at configuration time rather than on the first call
        allowedCidrs.forEach(Cidr::parse);
        deniedCidrs.forEach(Cidr::parse);
    }

    public static EgressPolicy defaults() {
        return new EgressPolicy(false, List.of(), List.of(), List.of(), List.of());
    }

    public EgressPolicy withAllowLoopback(boolean allow) {
        return new EgressPolicy(allow, allowedHosts, deniedHosts, allowedCidrs, deniedCidrs);
    }
}
