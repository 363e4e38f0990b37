package io.ordinaut.tool;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Applies an {@link EgressPolicy} to a URL before anything is sent to it, and again on every
 * redirect hop. The host is resolved here; a DNS answer that changes between this check and the
 * HTTP client's own lookup is not caught (the JDK client cannot be pinned to an address).
 */
final class EgressGuard {

    private static final Set<String> METADATA_HOSTS = Set.of("metadata.google.internal", "metadata.goog");
    private static final List<Cidr> ALWAYS_REFUSED = List.of(
            Cidr.parse("169.254.0.0/16"),
            Cidr.parse("fe80::/10"),
            Cidr.parse("fd00:ec2::254/128"),
            Cidr.parse("100.100.100.200/32"));

    private final EgressPolicy policy;
    private final List<Cidr> allowedCidrs;
    private final List<Cidr> deniedCidrs;

    EgressGuard(EgressPolicy policy) {
        this.policy = policy;
        this.allowedCidrs = policy.allowedCidrs().stream().map(Cidr::parse).toList();
        this.deniedCidrs = policy.deniedCidrs().stream().map(Cidr::parse).toList();
    }

    /**
     * @throws ToolCallException not retryable, naming the host, when the destination is refused;
     *                           retryable when the host cannot be resolved right now
     */
    void check(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw refused(String.valueOf(uri.getHost()), "only http and https URLs may be called, not '" + scheme + "'");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw refused(String.valueOf(uri), "URL has no host");
        }
        String name = normalise(host);
        if (METADATA_HOSTS.contains(name)) {
            throw refused(host, "cloud metadata endpoint");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(stripBrackets(host));
        } catch (UnknownHostException e) {
            throw new ToolCallException("cannot resolve host '" + host + "'", true, null, e);
        }
        for (InetAddress address : addresses) {
            for (Cidr cidr : ALWAYS_REFUSED) {
                if (cidr.contains(address)) {
                    throw refused(host, address.getHostAddress() + " is a link-local or cloud metadata address");
                }
            }
        }
        if (matchesHost(policy.deniedHosts(), name)) {
            throw refused(host, "host is on the deny list");
        }
        for (InetAddress address : addresses) {
            for (Cidr cidr : deniedCidrs) {
                if (cidr.contains(address)) {
                    throw refused(host, address.getHostAddress() + " is in denied network " + cidr.text());
                }
            }
        }
        boolean allowListed = matchesHost(policy.allowedHosts(), name);
        boolean allowListMode = !policy.allowedHosts().isEmpty() || !allowedCidrs.isEmpty();
        for (InetAddress address : addresses) {
            boolean loopback = address.isLoopbackAddress() || address.isAnyLocalAddress();
            if (loopback) {
                if (!policy.allowLoopback() && !allowListed) {
                    throw refused(host, address.getHostAddress() + " is a loopback address");
                }
                continue;
            }
            if (allowListMode && !allowListed && allowedCidrs.stream().noneMatch(cidr -> cidr.contains(address))) {
                throw refused(host, address.getHostAddress() + " is not on the allow list");
            }
        }
    }

    private static boolean matchesHost(List<String> patterns, String name) {
        for (String pattern : patterns) {
            String p = normalise(pattern);
            if (p.startsWith("*.") ? name.endsWith(p.substring(1)) : name.equals(p)) {
                return true;
            }
        }
        return false;
    }

    private static String normalise(String host) {
        String name = stripBrackets(host).toLowerCase(Locale.ROOT);
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static ToolCallException refused(String host, String why) {
        return ToolCallException.permanent("egress to host '" + host + "' refused: " + why);
    }
}
