package io.ordinaut.config;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * ordinaut.security.*: authentication, rate limits and request limits.
 *
 * @param adminToken              the system admin agent's bearer token (ORDINAUT_ADMIN_TOKEN), 16 to 200 characters; when unset,
 *                                one is generated on the cluster's first start and printed once in the log
 * @param accessTokenTtlSeconds   lifetime of access tokens (default 3600)
 * @param refreshTokenTtlSeconds  lifetime of refresh tokens (default 30 days)
 * @param burstPerSecond          requests per second one non-admin agent may make (default 50; cluster-wide)
 * @param defaultCallsPerHour     hourly limit for agents without their own api_calls_per_hour (default none)
 * @param maxBodyBytes            largest request body accepted (default 1 MiB); larger ones get 413
 * @param lockoutThreshold        failed secret attempts from one client address before the agent's credential
 *                                is locked for that address (default 5)
 * @param lockoutSeconds          first lockout; it doubles with each further failure, up to 15 minutes (default 30)
 * @param unauthenticatedPerMinute calls per minute one client address may make to the token endpoints plus
 *                                requests refused before anyone was proven — a 401, a mutating call answered 404
 *                                or 405 without a valid token (default 60), counted in memory on each node before
 *                                any BCrypt or token lookup; past it, 429 with Retry-After
 * @param unauthenticatedBurst    how many such calls an address may make at once before the per-minute rate
 *                                applies (default 30)
 * @param trustedProxies          CIDRs of reverse proxies whose X-Forwarded-For is believed (default none: the
 *                                client address is the socket's peer)
 */
@ConfigurationProperties("ordinaut.security")
public record SecurityProperties(String adminToken, Integer accessTokenTtlSeconds, Integer refreshTokenTtlSeconds,
                                 Integer burstPerSecond, Integer defaultCallsPerHour, Long maxBodyBytes,
                                 Integer lockoutThreshold, Integer lockoutSeconds, Integer unauthenticatedPerMinute,
                                 Integer unauthenticatedBurst, List<String> trustedProxies) {

    public static final int MIN_ADMIN_TOKEN = 16;
    /** The longest bearer token looked up at all (TokenStore): a longer admin token could never be used. */
    public static final int MAX_ADMIN_TOKEN = 200;

    public SecurityProperties {
        adminToken = adminToken == null || adminToken.isBlank() ? null : adminToken.trim();
        CheckSettings.adminToken(adminToken); // its length only: the report never shows the token
        accessTokenTtlSeconds = positive("access-token-ttl-seconds", accessTokenTtlSeconds, 3600);
        refreshTokenTtlSeconds = positive("refresh-token-ttl-seconds", refreshTokenTtlSeconds, 30 * 24 * 3600);
        burstPerSecond = positive("burst-per-second", burstPerSecond, 50);
        if (defaultCallsPerHour != null) { // unset: no hourly limit
            positive("default-calls-per-hour", defaultCallsPerHour, 1);
        }
        maxBodyBytes = Setting.atLeast("ordinaut.security.max-body-bytes", maxBodyBytes, 1024L * 1024, 1024);
        lockoutThreshold = positive("lockout-threshold", lockoutThreshold, 5);
        lockoutSeconds = positive("lockout-seconds", lockoutSeconds, 30);
        unauthenticatedPerMinute = positive("unauthenticated-per-minute", unauthenticatedPerMinute, 60);
        unauthenticatedBurst = positive("unauthenticated-burst", unauthenticatedBurst, 30);
        trustedProxies = trustedProxies == null ? List.of()
                : trustedProxies.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String proxy : trustedProxies) {
            try {
                AddressRange.parse(proxy);
            } catch (IllegalArgumentException e) {
                throw Setting.invalid("ordinaut.security.trusted-proxies", String.join(",", trustedProxies),
                        "comma-separated IP addresses or CIDR blocks such as 10.0.0.5 or 10.0.0.0/8 ('" + proxy + "' is neither)");
            }
        }
    }

    private static int positive(String name, Integer value, int fallback) {
        return Setting.atLeast("ordinaut.security." + name, value, fallback, 1);
    }
}
