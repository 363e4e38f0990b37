package io.ordinaut.web;

import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.util.Collections;
import java.util.List;

import io.ordinaut.config.AddressRange;

/**
 * The address a request came from: the socket's peer, unless that peer is a configured trusted proxy
 * ({@code ordinaut.security.trusted-proxies}), in which case X-Forwarded-For is read from the right and the
 * first address that is not itself a trusted proxy is the client. A client can prepend anything it likes
 * to X-Forwarded-For, so entries left of the first untrusted one are never believed.
 */
final class ClientAddresses {

    static final String ATTRIBUTE = "ordinaut.clientAddress";

    private final List<AddressRange> trusted;

    ClientAddresses(List<String> trustedProxies) {
        this.trusted = trustedProxies.stream().map(AddressRange::parse).toList();
    }

    String of(HttpServletRequest request) {
        String peer = request.getRemoteAddr();
        if (trusted.isEmpty() || !isTrusted(peer)) {
            return peer;
        }
        String client = peer;
        List<String> headers = Collections.list(request.getHeaders("X-Forwarded-For"));
        for (int h = headers.size() - 1; h >= 0; h--) {
            String[] hops = headers.get(h).split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                InetAddress hop = AddressRange.literal(hops[i]);
                if (hop == null) {
                    // Garbage in the chain: stop at the last address we could vouch for.
                    return client;
                }
                client = hop.getHostAddress();
                if (!contains(hop)) {
                    return client;
                }
            }
        }
        return client;
    }

    private boolean isTrusted(String address) {
        InetAddress literal = AddressRange.literal(address);
        return literal != null && contains(literal);
    }

    private boolean contains(InetAddress address) {
        for (AddressRange range : trusted) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
