package io.ordinaut.web;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.pattern.PathPattern;

import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.config.SecurityProperties;
import io.ordinaut.metrics.OrdinautMetrics;

/**
 * Limits what a client address may cost before it has proven who it is: every call to the token
 * endpoints, and every request that ends in 401, in another refusal of a public auth route to a caller who proved
 * nothing, or in a 404 or 405 to a mutating call that proved no one ({@link RequestContext#refusedAnonymously}: a
 * revocation with a bad body, a POST to an unknown path without a valid token), or proved no credential otherwise
 * (a revocation of a token that was not live, answered 200 by RFC 7009), takes one unit from the address's bucket
 * ({@code unauthenticated-burst} units, refilled at {@code unauthenticated-per-minute}). An address whose
 * bucket is empty gets 429 with Retry-After before its request reaches BCrypt or the token table.
 *
 * <p>The buckets live in this node's memory: the limit is per node, which is enough to bound the work
 * a flood causes each node, and costs no database round trip for a request that has none to spare.
 * Authenticated agents are limited cluster-wide by {@link RateLimiter} as before.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class AnonymousRateFilter extends OncePerRequestFilter {

    static final List<PathPattern> TOKEN_PATHS = RoutePaths.parse(List.of("/agents/auth/token", "/agents/auth/refresh"));
    /**
     * Health checks stay answered whatever an address has cost: a load balancer behind the same address
     * as a flood (an untrusted proxy) must not take the node out of rotation.
     */
    static final List<PathPattern> PROBE_PATHS = RoutePaths.parse(List.of("/health", "/health/live", "/health/ready",
            "/actuator/health/liveness", "/actuator/health/readiness"));
    /** Bounds the map under a spray of source addresses; idle (full) buckets are dropped first. */
    private static final int MAX_ADDRESSES = 100_000;

    private final ClientAddresses addresses;
    private final double capacity;
    private final double perMilli;
    private final JsonMapper json;
    private final Clock clock;
    private final OrdinautMetrics metrics;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    AnonymousRateFilter(SecurityProperties properties, JsonMapper json, Clock clock, OrdinautMetrics metrics) {
        this.metrics = metrics;
        this.addresses = new ClientAddresses(properties.trustedProxies());
        this.capacity = properties.unauthenticatedBurst();
        this.perMilli = properties.unauthenticatedPerMinute() / 60_000.0;
        this.json = json;
        this.clock = clock;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String client = addresses.of(request);
        request.setAttribute(ClientAddresses.ATTRIBUTE, client);
        if (RoutePaths.matchesAny(request, PROBE_PATHS)) {
            chain.doFilter(request, response);
            return;
        }
        boolean tokenCall = RoutePaths.matchesAny(request, TOKEN_PATHS);
        long wait = tokenCall ? take(client) : peek(client);
        if (wait > 0) {
            metrics.rateLimitRefused("unauthenticated");
            long seconds = Math.max(1, (wait + 999) / 1000);
            ErrorResponses.write(request, response, json, clock, new ApiException(HttpStatus.TOO_MANY_REQUESTS, "RateLimited",
                    "Too many unauthenticated or refused requests from " + client + "; retry in " + seconds + " s",
                    Map.of("retry_after_seconds", seconds)).withHeader("Retry-After", Long.toString(seconds)));
            return;
        }
        chain.doFilter(request, response);
        if (!tokenCall && (RequestContext.refusedAnonymously(request, response.getStatus()) || RequestContext.hadNoValidCredential(request))) {
            take(client);
        }
    }

    /** Takes one unit; 0 when there was one, else the milliseconds until there will be. */
    private long take(String client) {
        return bucket(client).take(clock.millis(), capacity, perMilli, true);
    }

    private long peek(String client) {
        Bucket bucket = buckets.get(client);
        return bucket == null ? 0 : bucket.take(clock.millis(), capacity, perMilli, false);
    }

    private Bucket bucket(String client) {
        Bucket bucket = buckets.get(client);
        if (bucket != null) {
            return bucket;
        }
        if (buckets.size() >= MAX_ADDRESSES) {
            long now = clock.millis();
            buckets.values().removeIf(b -> b.isFull(now, capacity, perMilli));
            if (buckets.size() >= MAX_ADDRESSES) {
                buckets.clear();
            }
        }
        return buckets.computeIfAbsent(client, c -> new Bucket(capacity, clock.millis()));
    }

    private static final class Bucket {
        private double units;
        private long at;

        Bucket(double units, long at) {
            this.units = units;
            this.at = at;
        }

        synchronized long take(long now, double capacity, double perMilli, boolean consume) {
            units = Math.min(capacity, units + Math.max(0, now - at) * perMilli);
            at = Math.max(at, now);
            if (units >= 1) {
                if (consume) {
                    units -= 1;
                }
                return 0;
            }
            return (long) Math.ceil((1 - units) / perMilli);
        }

        synchronized boolean isFull(long now, double capacity, double perMilli) {
            return units + Math.max(0, now - at) * perMilli >= capacity;
        }
    }
}
