package io.ordinaut.event;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.stereotype.Component;

/**
 * The Redis part of /health: a PING to the Redis this node uses (ordinaut.events.redis-url, which
 * ORDINAUT_REDIS_URL and spring.data.redis.url both set), on a connection of its own so a slow relay
 * round never holds the check up. Absent without Redis.
 */
@Component
public class RedisHealth {

    private final EventDuties duties;

    RedisHealth(EventDuties duties) {
        this.duties = duties;
    }

    /** {@code status} healthy with {@code latency_ms}, or unhealthy with {@code error}; null without Redis. */
    public Map<String, Object> check() {
        RedisStreams.Lazy connection = duties.healthConnection();
        if (connection == null) {
            return null;
        }
        Map<String, Object> check = new LinkedHashMap<>();
        long start = System.nanoTime();
        try {
            connection.commands().ping();
            check.put("status", "healthy");
            check.put("latency_ms", (System.nanoTime() - start) / 1_000_000.0);
        } catch (RuntimeException e) {
            check.put("status", "unhealthy");
            check.put("error", e.getClass().getSimpleName());
        }
        return check;
    }
}
