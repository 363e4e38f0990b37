package io.ordinaut.event;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.stereotype.Component;

/**
 * The Redis part of /health: a PING to the Redis this node uses (ordinaut.events.redis-url, which
 * ORDINAUT_REDIS_URL and spring.data.redis.url both set), on a connection of its own so a slow relay
 * round never holds the check up. Absent without Redis.
 * <p>
 * The PING has a deadline, ordinaut.events.redis-health-timeout: a Redis host that drops packets makes
 * opening the connection wait for Lettuce's 10 s connect timeout, and one that accepts but never answers
 * makes the PING wait for the 3 s command timeout — both longer than a load balancer waits for /health.
 * The PING runs on a thread of its own; a check answers "unhealthy" at the deadline, and a PING still
 * hanging is joined by the next check instead of starting another, so an outage never piles up threads
 * (as {@code health.DatabaseProbe} does for PostgreSQL).
 */
@Component
public class RedisHealth implements AutoCloseable {

    private final EventDuties duties;
    private final Duration deadline;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "health-redis-probe");
        t.setDaemon(true);
        return t;
    });
    private Future<Double> inFlight;

    RedisHealth(EventDuties duties, EventProperties properties) {
        this.duties = duties;
        this.deadline = properties.redisHealthTimeout();
    }

    /** {@code status} healthy with {@code latency_ms}, or unhealthy with {@code error}; null without Redis. */
    public Map<String, Object> check() {
        RedisStreams.Lazy connection = duties.healthConnection();
        if (connection == null) {
            return null;
        }
        Future<Double> ping;
        synchronized (this) {
            if (inFlight == null || inFlight.isDone()) {
                inFlight = thread.submit(() -> ping(connection));
            }
            ping = inFlight;
        }
        Map<String, Object> check = new LinkedHashMap<>();
        try {
            double latency = ping.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            check.put("status", "healthy");
            check.put("latency_ms", latency);
        } catch (TimeoutException e) {
            check.put("status", "unhealthy");
            check.put("error", "no answer within " + deadline.toMillis() + " ms");
        } catch (ExecutionException e) {
            check.put("status", "unhealthy");
            check.put("error", RelayFailure.describe(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            check.put("status", "unhealthy");
            check.put("error", "interrupted");
        }
        return check;
    }

    private static double ping(RedisStreams.Lazy connection) {
        long start = System.nanoTime();
        connection.commands().ping();
        return (System.nanoTime() - start) / 1_000_000.0;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
