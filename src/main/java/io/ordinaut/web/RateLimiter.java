package io.ordinaut.web;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.ordinaut.config.SecurityProperties;
import io.ordinaut.metrics.OrdinautMetrics;

/**
 * Per-agent request limits over fixed windows (one second, one hour), counted in PostgreSQL so every
 * node enforces the same budget. Admins are not limited.
 */
@Component
class RateLimiter {

    /**
     * One autocommit statement per window. Its commit does not wait for the WAL flush (synchronous_commit
     * off for this transaction only): a crash may forget the last few counts, which only lets an agent make a
     * few more calls in that second — while waiting for the flush would hold the agent's hot counter row for
     * a disk write and serialise all of the agent's requests on it.
     */
    private static final String COUNT = """
            WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true))
            INSERT INTO rate_window (agent_id, granularity, window_start, count)
            SELECT CAST(:agent AS uuid), CAST(:granularity AS text), CAST(:windowStart AS timestamptz), 1 FROM relaxed
            ON CONFLICT (agent_id, granularity, window_start) DO UPDATE SET count = rate_window.count + 1
            RETURNING count
            """;
    private static final String PRUNE = "DELETE FROM rate_window WHERE window_start < :before";

    private final JdbcClient jdbc;
    private final SecurityProperties properties;
    private final Clock clock;
    private final OrdinautMetrics metrics;
    private volatile long lastPrune;

    RateLimiter(JdbcClient jdbc, SecurityProperties properties, Clock clock, OrdinautMetrics metrics) {
        this.metrics = metrics;
        this.jdbc = jdbc;
        this.properties = properties;
        this.clock = clock;
    }

    /** Counts one request; throws 429 with Retry-After when a window is used up. */
    void admit(Caller caller) {
        if (caller.isAdmin()) {
            return;
        }
        Instant now = clock.instant();
        Instant second = now.truncatedTo(ChronoUnit.SECONDS);
        if (count(caller, "second", second) > properties.burstPerSecond()) {
            metrics.rateLimitRefused("agent_burst");
            throw tooMany(caller, "per-second burst of " + properties.burstPerSecond(), 1);
        }
        Integer hourly = caller.apiCallsPerHour() != null ? caller.apiCallsPerHour() : properties.defaultCallsPerHour();
        if (hourly != null) {
            Instant hour = now.truncatedTo(ChronoUnit.HOURS);
            if (count(caller, "hour", hour) > hourly) {
                metrics.rateLimitRefused("agent_hourly");
                long retry = Math.max(1, hour.plus(1, ChronoUnit.HOURS).getEpochSecond() - now.getEpochSecond());
                throw tooMany(caller, "api_calls_per_hour of " + hourly, retry);
            }
        }
        pruneOccasionally(now);
    }

    private int count(Caller caller, String granularity, Instant windowStart) {
        return jdbc.sql(COUNT)
                .param("agent", caller.agentId())
                .param("granularity", granularity)
                .param("windowStart", Timestamp.from(windowStart))
                .query(Integer.class)
                .single();
    }

    private void pruneOccasionally(Instant now) {
        long minute = now.getEpochSecond() / 60;
        if (minute != lastPrune) {
            lastPrune = minute;
            jdbc.sql(PRUNE).param("before", Timestamp.from(now.minus(2, ChronoUnit.HOURS))).update();
        }
    }

    private static ApiException tooMany(Caller caller, String limit, long retryAfterSeconds) {
        ApiException e = new ApiException(HttpStatus.TOO_MANY_REQUESTS, "RateLimited",
                "Agent " + caller.agentId() + " exceeded its " + limit + " requests; retry in " + retryAfterSeconds + " s",
                Map.of("retry_after_seconds", retryAfterSeconds));
        return e.withHeader("Retry-After", Long.toString(retryAfterSeconds));
    }
}
