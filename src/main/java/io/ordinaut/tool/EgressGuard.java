package io.ordinaut.tool;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Applies an {@link EgressPolicy} to a URL before anything is sent to it, and again on every redirect
 * hop. {@link #resolve} is the only place a tool's host name is turned into addresses: the HTTP client
 * calls it when it opens a connection and connects to exactly the addresses it returned, so a DNS answer
 * that changes after the check (rebinding) is never used.
 */
final class EgressGuard {

    private static final Set<String> METADATA_HOSTS = Set.of("metadata.google.internal", "metadata.goog");
    /** Refused whatever the lists say: link-local, cloud metadata, multicast and broadcast. */
    private static final List<Cidr> ALWAYS_REFUSED = List.of(
            Cidr.parse("169.254.0.0/16"),
            Cidr.parse("fe80::/10"),
            Cidr.parse("fd00:ec2::254/128"),
            Cidr.parse("100.100.100.200/32"),
            Cidr.parse("224.0.0.0/4"),
            Cidr.parse("255.255.255.255/32"),
            Cidr.parse("ff00::/8"));
    /** Refused unless loopback is allowed: the node itself, or "this host" in disguise. */
    private static final List<Cidr> LOCAL = List.of(
            Cidr.parse("127.0.0.0/8"),
            Cidr.parse("0.0.0.0/8"),
            Cidr.parse("::1/128"),
            Cidr.parse("::/128"));
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
    private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");
    private static final Cidr IPV4_COMPATIBLE = Cidr.parse("::/96");
    private static final Duration OWN_ADDRESSES_TTL = Duration.ofSeconds(30);

    private final EgressPolicy policy;
    private final HostResolver resolver;
    private final Supplier<Set<InetAddress>> ownAddresses;
    private final List<Cidr> allowedCidrs;
    private final List<Cidr> deniedCidrs;

    EgressGuard(EgressPolicy policy) {
        this(policy, HostResolver.SYSTEM);
    }

    EgressGuard(EgressPolicy policy, HostResolver resolver) {
        this(policy, resolver, new InterfaceAddresses(OWN_ADDRESSES_TTL));
    }

    EgressGuard(EgressPolicy policy, HostResolver resolver, Supplier<Set<InetAddress>> ownAddresses) {
        this.policy = policy;
        this.resolver = resolver;
        this.ownAddresses = ownAddresses;
        this.allowedCidrs = policy.allowedCidrs().stream().map(Cidr::parse).toList();
        this.deniedCidrs = policy.deniedCidrs().stream().map(Cidr::parse).toList();
    }

    /**
     * The whole check: the URL, then its host's addresses.
     *
     * @return the addresses the host resolved to, all accepted
     * @throws ToolCallException not retryable, naming the host, when the destination is refused;
     *                           retryable when the host cannot be resolved right now
     */
    InetAddress[] check(URI uri) {
        checkName(uri);
        return resolve(uri.getHost());
    }

    /** What can be judged without resolving: the scheme and the host name. */
    void checkName(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw refused(String.valueOf(uri.getHost()), "only http and https URLs may be called, not '" + scheme + "'");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw refused(String.valueOf(uri), "URL has no host");
        }
        refuseZoneId(host);
        String name = normalise(host);
        if (METADATA_HOSTS.contains(name)) {
            throw refused(host, "cloud metadata endpoint");
        }
        if (matchesHost(policy.deniedHosts(), name)) {
            throw refused(host, "host is on the deny list");
        }
    }

    /**
     * Resolves the host once and checks every address it resolved to; the caller connects to these
     * addresses and no others.
     */
    InetAddress[] resolve(String host) {
        refuseZoneId(host);
        String name = normalise(host);
        if (METADATA_HOSTS.contains(name)) {
            throw refused(host, "cloud metadata endpoint");
        }
        if (matchesHost(policy.deniedHosts(), name)) {
            throw refused(host, "host is on the deny list");
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(stripBrackets(host));
        } catch (UnknownHostException e) {
            throw new ToolCallException("cannot resolve host '" + host + "'", true, null, e);
        }
        if (addresses == null || addresses.length == 0) {
            throw new ToolCallException("cannot resolve host '" + host + "'", true, null, null);
        }
        boolean allowListed = matchesHost(policy.allowedHosts(), name);
        for (InetAddress address : addresses) {
            checkAddress(host, address, allowListed);
        }
        return addresses.clone();
    }

    private void checkAddress(String host, InetAddress address, boolean hostAllowListed) {
        List<InetAddress> forms = forms(address);
        for (InetAddress form : forms) {
            for (Cidr cidr : ALWAYS_REFUSED) {
                if (cidr.contains(form)) {
                    throw refused(host, describe(address, form) + " is a link-local or cloud metadata address (or multicast)");
                }
            }
            for (Cidr cidr : deniedCidrs) {
                if (cidr.contains(form)) {
                    throw refused(host, describe(address, form) + " is in denied network " + cidr.text());
                }
            }
        }
        boolean inAllowedCidr = forms.stream().anyMatch(form -> allowedCidrs.stream().anyMatch(cidr -> cidr.contains(form)));
        for (InetAddress form : forms) {
            String local = local(form);
            if (local != null && !policy.allowLoopback() && !explicitlyAllowed(form)) {
                throw refused(host, describe(address, form) + " is " + local
                        + " (set ordinaut.tools.allow-loopback or list it in ordinaut.tools.allowed-cidrs)");
            }
        }
        boolean allowListMode = !policy.allowedHosts().isEmpty() || !allowedCidrs.isEmpty();
        boolean local = forms.stream().anyMatch(form -> local(form) != null);
        if (allowListMode && !local && !hostAllowListed && !inAllowedCidr) {
            throw refused(host, address.getHostAddress() + " is not on the allow list");
        }
    }

    /**
     * An IPv6 literal with a zone id ({@code [fe80::1%25eth0]}, {@code [fe80::1%eth0]}) names one of this node's
     * interfaces, which only scoped — link-local — addresses need, and those are always refused. Judged by the
     * text, before any lookup: the JDK resolves some such literals (to a scoped address, which the ranges
     * would refuse) and fails on others ({@code %25eth0} is "no such interface"), which read as a host that does
     * not resolve yet and was let through at registration. No host name holds a {@code %}.
     */
    private static void refuseZoneId(String host) {
        if (host.indexOf('%') >= 0) {
            throw refused(host, "an IPv6 zone id (%…) names a network interface of this node; zones scope link-local "
                    + "addresses, which are always refused");
        }
    }

    /** Why an address is the node itself, or null. */
    private String local(InetAddress address) {
        if (address.isLoopbackAddress() || LOCAL.get(0).contains(address) || LOCAL.get(2).contains(address)) {
            return "a loopback address";
        }
        if (address.isAnyLocalAddress() || LOCAL.get(1).contains(address) || LOCAL.get(3).contains(address)) {
            return "an unspecified address (this host)";
        }
        if (ownAddresses.get().contains(address)) {
            return "one of this node's own addresses";
        }
        return null;
    }

    /** An allowed CIDR that names the address on purpose: 0.0.0.0/0 or ::/0 does not open loopback. */
    private boolean explicitlyAllowed(InetAddress address) {
        return allowedCidrs.stream().anyMatch(cidr -> cidr.prefix() > 0 && cidr.contains(address));
    }

    /**
     * The address and the IPv4 address embedded in it, if any: IPv4-compatible (::a.b.c.d), NAT64
     * (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::). IPv4-mapped addresses (::ffff:a.b.c.d) are
     * already turned into IPv4 ones by {@link InetAddress}.
     */
    static List<InetAddress> forms(InetAddress address) {
        List<InetAddress> forms = new ArrayList<>(2);
        forms.add(address);
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            byte[] v4 = null;
            if (NAT64.contains(address) || IPV4_COMPATIBLE.contains(address) && !LOCAL.get(2).contains(address)
                    && !LOCAL.get(3).contains(address)) {
                v4 = new byte[] {b[12], b[13], b[14], b[15]};
            } else if (SIX_TO_FOUR.contains(address)) {
                v4 = new byte[] {b[2], b[3], b[4], b[5]};
            } else if (isMapped(b)) {
                v4 = new byte[] {b[12], b[13], b[14], b[15]};
            }
            if (v4 != null) {
                try {
                    forms.add(InetAddress.getByAddress(v4));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException("4 bytes are always an IPv4 address", e);
                }
            }
        }
        return forms;
    }

    private static boolean isMapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF;
    }

    private static String describe(InetAddress address, InetAddress form) {
        return form == address ? address.getHostAddress() : address.getHostAddress() + " (" + form.getHostAddress() + ")";
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

    /** The addresses of this machine's interfaces, re-read at most every {@code ttl}. */
    static final class InterfaceAddresses implements Supplier<Set<InetAddress>> {
        private final long ttlNanos;
        private volatile Set<InetAddress> addresses;
        private volatile long readAt;

        InterfaceAddresses(Duration ttl) {
            this.ttlNanos = ttl.toNanos();
        }

        @Override
        public Set<InetAddress> get() {
            Set<InetAddress> current = addresses;
            long now = System.nanoTime();
            if (current == null || now - readAt > ttlNanos) {
                current = read();
                addresses = current;
                readAt = now;
            }
            return current;
        }

        private static Set<InetAddress> read() {
            Set<InetAddress> found = new HashSet<>();
            try {
                for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                        found.add(withoutScope(address));
                    }
                }
            } catch (SocketException e) {
                // no interface list: loopback and unspecified are still refused by range
                return Set.of();
            }
            return Set.copyOf(found);
        }

        /** fe80::1%eth0 and fe80::1 are the same address for our purpose. */
        private static InetAddress withoutScope(InetAddress address) {
            if (address instanceof Inet6Address) {
                try {
                    return InetAddress.getByAddress(address.getAddress());
                } catch (UnknownHostException e) {
                    return address;
                }
            }
            return address;
        }
    }
}
