package io.ordinaut.tool;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;

import javax.net.ssl.SSLContext;

import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.util.Timeout;

/**
 * The HTTP client both tool transports send through. It resolves host names only through
 * {@link EgressGuard#resolve}, when it opens a connection, and connects to exactly the addresses the guard
 * accepted, so a DNS answer that changes after the check (rebinding) is never used. TLS still uses the
 * URL's host name for SNI and certificate verification, and the Host header keeps it too. It follows no
 * redirects (the HTTP transport does, checking each hop), uses no proxy (a proxy would make its own
 * lookups), keeps no cookies and never retries on its own.
 */
final class PinnedClients {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private PinnedClients() {
    }

    /** Resolves (and checks) each host when a connection to it is opened. */
    static CloseableHttpClient create(EgressGuard guard, SSLContext sslContext) {
        return create(new CheckedResolver(guard), sslContext, CONNECT_TIMEOUT);
    }

    static CloseableHttpClient create(EgressGuard guard, SSLContext sslContext, Duration connectTimeout) {
        return create(new CheckedResolver(guard), sslContext, connectTimeout);
    }

    /**
     * A resolver that knows one host, with addresses already checked, and refuses every other: for a
     * long-lived server connection (MCP) whose addresses are resolved once, whatever DNS says later.
     */
    static DnsResolver pinnedTo(String host, InetAddress[] addresses) {
        String pinnedHost = bare(host);
        InetAddress[] pinned = addresses.clone();
        return new DnsResolver() {
            @Override
            public InetAddress[] resolve(String name) throws UnknownHostException {
                if (!bare(name).equals(pinnedHost)) {
                    throw new Refused(ToolCallException.permanent("egress to host '" + name + "' refused: this connection is pinned to "
                            + host));
                }
                return pinned.clone();
            }

            @Override
            public String resolveCanonicalHostname(String name) {
                return name;
            }
        };
    }

    private static String bare(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        h = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** @param sslContext null for the JVM's default */
    static CloseableHttpClient create(DnsResolver resolver, SSLContext sslContext) {
        return create(resolver, sslContext, CONNECT_TIMEOUT);
    }

    private static CloseableHttpClient create(DnsResolver resolver, SSLContext sslContext, Duration connectTimeout) {
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(resolver)
                        // the JVM's trust store and javax.net.ssl.* settings, as the JDK client used; SNI and
                        // the certificate check use the URL's host name, not the pinned address
                        .setTlsSocketStrategy(sslContext == null
                                ? DefaultClientTlsStrategy.createSystemDefault() : new DefaultClientTlsStrategy(sslContext))
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(connectTimeout))
                                .build())
                        .setMaxConnTotal(200)
                        .setMaxConnPerRoute(20)
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .build();
    }

    /** The egress refusal or resolution failure the resolver raised inside the client, if that is what this is. */
    static ToolCallException refusal(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof Refused refused) {
                return refused.failure;
            }
        }
        return null;
    }

    static void closeQuietly(CloseableHttpClient client) {
        try {
            client.close();
        } catch (IOException e) {
            // shutting down; open connections are dropped either way
        }
    }

    /** The client's only way from a host name to addresses: the guard resolves once and checks every answer. */
    private static final class CheckedResolver implements DnsResolver {

        private final EgressGuard guard;

        CheckedResolver(EgressGuard guard) {
            this.guard = guard;
        }

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            try {
                return guard.resolve(host);
            } catch (ToolCallException e) {
                throw new Refused(e);
            }
        }

        @Override
        public String resolveCanonicalHostname(String host) {
            return host; // never a second lookup
        }
    }

    /** Carries the guard's verdict through the client, which only lets IOExceptions out of a resolver. */
    static final class Refused extends UnknownHostException {
        private final transient ToolCallException failure;

        Refused(ToolCallException failure) {
            super(failure.getMessage());
            this.failure = failure;
        }
    }
}
