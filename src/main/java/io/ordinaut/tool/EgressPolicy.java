package io.ordinaut.tool;

import java.util.List;

/**
 * Where tools may be called (SSRF guard). Link-local addresses (169.254.0.0/16, fe80::/10) and
 * cloud metadata endpoints (169.254.169.254, fd00:ec2::254, 100.100.100.200,
 * metadata.google.internal) are always refused, whatever the lists say.
 *
 * @param allowLoopback whether 127.0.0.0/8, ::1 and 0.0.0.0 may be called (default true, so tools on
 *                      the same host work)
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
        return new EgressPolicy(true, List.of(), List.of(), List.of(), List.of());
    }
}
