package io.ordinaut.health;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * {@code SELECT 1} with a deadline. While PostgreSQL is unreachable the pool waits for a connection for
 * its whole connection timeout (30 s): far longer than a load balancer waits for a health check. The probe
 * runs the query on one thread of its own and answers "unhealthy" after {@link #DEADLINE}; a query still
 * hanging is joined by the next probe instead of starting another, so an outage never piles up threads.
 */
@Component
class DatabaseProbe implements AutoCloseable {

    static final Duration DEADLINE = Duration.ofSeconds(2);

    private final JdbcClient jdbc;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "health-database-probe");
        t.setDaemon(true);
        return t;
    });
    private Future<Double> inFlight;

    DatabaseProbe(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** {@code status} healthy with {@code latency_ms}, or unhealthy with {@code error}. */
    Map<String, Object> check() {
        Future<Double> query;
        synchronized (this) {
            if (inFlight == null || inFlight.isDone()) {
                inFlight = thread.submit(this::query);
            }
            query = inFlight;
        }
        Map<String, Object> c = new LinkedHashMap<>();
        try {
            double latency = query.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            c.put("status", "healthy");
            c.put("latency_ms", latency);
        } catch (TimeoutException e) {
            c.put("status", "unhealthy");
            c.put("error", "no answer within " + DEADLINE.toMillis() + " ms");
        } catch (ExecutionException e) {
            c.put("status", "unhealthy");
            c.put("error", e.getCause().getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            c.put("status", "unhealthy");
            c.put("error", "interrupted");
        }
        return c;
    }

    private double query() {
        long start = System.nanoTime();
        jdbc.sql("SELECT 1").query(Integer.class).single();
        return (System.nanoTime() - start) / 1_000_000.0;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
