package io.ordinaut.event;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The outbox's part of /health: how many rows wait for the Redis relay, and whether the relay keeps up.
 * Degraded when Redis is configured and this node's last relay round failed, or rows have waited longer
 * than {@link #STALE} (no node relays).
 */
@Component
public class OutboxHealth {

    static final Duration STALE = Duration.ofSeconds(30);

    private static final String BACKLOG = """
            SELECT coalesce(sum(size), 0) AS backlog, min(created_at) AS oldest FROM outbox WHERE relayed_at IS NULL
            """;

    private final JdbcClient jdbc;
    private final EventProperties properties;
    private final RelayStatus relay;
    private final Clock clock;

    OutboxHealth(JdbcClient jdbc, EventProperties properties, RelayStatus relay, Clock clock) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.relay = relay;
        this.clock = clock;
    }

    /** {@code status} healthy | degraded, {@code backlog}, and the relay's last error if any; null without Redis. */
    public Map<String, Object> check() {
        if (!properties.redisConfigured()) {
            return null;
        }
        Map<String, Object> row = jdbc.sql(BACKLOG).query().singleRow();
        long backlog = ((Number) row.get("backlog")).longValue();
        Timestamp oldest = (Timestamp) row.get("oldest");
        boolean stale = oldest != null && oldest.toInstant().isBefore(clock.instant().minus(STALE));
        String error = relay.lastError();
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("status", error == null && !stale ? "healthy" : "degraded");
        check.put("backlog", backlog);
        if (error != null) {
            check.put("error", error);
        }
        return check;
    }
}
