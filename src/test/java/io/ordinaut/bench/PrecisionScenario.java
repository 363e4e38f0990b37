package io.ordinaut.bench;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.queue.DueWorkQueue;
import io.ordinaut.support.Api;
import io.ordinaut.support.Nodes;

/**
 * Scenario 3: N tasks, each on its own every-second schedule (interval PT1S, start_at spread over one
 * second, so N distinct schedules and N fires a second), on 2 nodes: fire lag (occurrence → run start),
 * duplicates and misses, idle and with the queue kept busy by other runs. A measurement of S seconds is
 * cut into {@link Bench#ROUNDS} consecutive windows, the rounds of this scenario.
 */
final class PrecisionScenario {

    private static final UUID SYSTEM_AGENT = UUID.fromString("00000000-0000-0000-0000-000000000001");
    final int tasks = Bench.size("precision.tasks", 1_000, 200);
    final int seconds = Bench.size("precision.seconds", 60, 15);
    final int busyRate = Bench.size("precision.busy-rate", 1_000, 500);

    /** One measurement's rows of the report table. */
    record Figures(Bench.Rounds p50, Bench.Rounds p99, Bench.Rounds max, long duplicates, long misses, long expected, double busyRate) {
    }

    String run() throws Exception {
        StringBuilder s = new StringBuilder(header("### 3. Precision"));
        try (Nodes nodes = new Nodes(Bench.freshDatabase())) {
            List<ConfigurableApplicationContext> started = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                started.add(nodes.start("precision-" + i, Bench.nodeProperties("precision-" + i, Map.of())));
            }
            createTasks(Nodes.api(started.get(0)));
            s.append(row("2 nodes, idle", measure(started, false)));
            s.append(row("2 nodes, queue busy", measure(started, true)));
        }
        return s.toString();
    }

    String header(String title) {
        return String.format("%s%n%n%,d tasks, each its own every-second schedule, on 2 nodes, for %d s cut into %d windows "
                + "(the rounds); lag = run start − occurrence; the busy case adds %,d other runs/s to the queue. "
                + "Median (min–max) over the windows; duplicates and misses summed.%n%n"
                + "| case | fire lag p50 (ms) | p99 (ms) | max (ms) | duplicates | misses (of expected) | other runs/s reached |%n"
                + "|---|---|---|---|---|---|---|%n", title, tasks, seconds, Bench.ROUNDS, busyRate);
    }

    static String row(String name, Figures f) {
        return String.format("| %s | %s | %s | %s | %,d | %,d (of %,d) | %s |%n", name, f.p50().format("%,.0f"), f.p99().format("%,.0f"),
                f.max().format("%,.0f"), f.duplicates(), f.misses(), f.expected(),
                Double.isNaN(f.busyRate()) ? "–" : String.format("%,.0f", f.busyRate()));
    }

    /** The N every-second tasks, created through the batch endpoint. */
    void createTasks(Api api) {
        Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
        for (int from = 0; from < tasks; from += 1000) {
            int offset = from;
            api.post("/tasks/batch", ApiScenario.batch(Math.min(1000, tasks - from), i -> ApiScenario.task("precision " + (offset + i),
                    "interval", "PT1S", "\"start_at\": \"" + base.plusMillis((offset + i) * 1000L / tasks) + "\", \"misfire_grace_seconds\": 60")))
                    .expect(200);
        }
        Bench.progress("precision: %,d every-second tasks created", tasks);
    }

    Figures measure(List<ConfigurableApplicationContext> nodes, boolean busy) throws Exception {
        JdbcClient jdbc = Nodes.jdbc(nodes.get(0));
        AtomicBoolean stop = new AtomicBoolean();
        UUID busyTask = UUID.randomUUID();
        Thread load = null;
        if (busy) {
            jdbc.sql("""
                    INSERT INTO task (id, title, created_by, schedule_kind, schedule_expr, timezone, payload, status, priority,
                                      max_retries, backoff_strategy, misfire_grace_seconds, active_since, created_at, updated_at,
                                      overlap_policy, concurrency_limit)
                    VALUES (:id, 'busy', :agent, 'event', 'bench.busy', 'UTC', '{"pipeline": [{"id": "noop", "uses": "noop.run"}]}',
                            'active', 5, 0, 'fixed', 60, now(), now(), now(), 'allow', 10000)""")
                    .param("id", busyTask).param("agent", SYSTEM_AGENT).update();
            DueWorkQueue queue = nodes.get(0).getBean(DueWorkQueue.class);
            load = new Thread(() -> keepBusy(queue, busyTask, stop), "bench-busy");
            load.start();
        }
        Instant from = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(5);
        Instant to = from.plusSeconds(seconds);
        Bench.progress("precision (%s): measuring %s → %s", busy ? "busy" : "idle", from, to);
        Bench.sleepUntil(to.plusSeconds(3));
        stop.set(true);
        if (load != null) {
            load.join();
        }
        Bench.sleepUntil(to.plusSeconds(6));
        Bench.Rounds p50 = new Bench.Rounds();
        Bench.Rounds p99 = new Bench.Rounds();
        Bench.Rounds max = new Bench.Rounds();
        long duplicates = 0;
        long misses = 0;
        long window = seconds / Bench.ROUNDS;
        for (int w = 0; w < Bench.ROUNDS; w++) {
            Instant a = from.plusSeconds(w * window);
            Instant b = w == Bench.ROUNDS - 1 ? to : a.plusSeconds(window);
            Map<String, Object> lag = Bench.lag(jdbc, "task_id IN (SELECT id FROM task WHERE title LIKE 'precision %') "
                    + "AND scheduled_for >= :a AND scheduled_for < :b", Map.of("a", a, "b", b));
            p50.add(Bench.number(lag.get("p50")));
            p99.add(Bench.number(lag.get("p99")));
            max.add(Bench.number(lag.get("max")));
            long runs = ((Number) lag.get("runs")).longValue();
            long distinct = ((Number) lag.get("distinct_runs")).longValue();
            duplicates += runs - distinct;
            misses += Math.max(0, (long) tasks * (b.getEpochSecond() - a.getEpochSecond()) - distinct);
        }
        double busyReached = Double.NaN;
        if (busy) {
            long done = jdbc.sql("SELECT count(*) FROM task_run WHERE task_id = :t AND started_at >= :a AND started_at < :b")
                    .param("t", busyTask).param("a", java.sql.Timestamp.from(from)).param("b", java.sql.Timestamp.from(to))
                    .query(Long.class).single();
            busyReached = done / (double) seconds;
            jdbc.sql("UPDATE task SET status = 'completed' WHERE id = :t").param("t", busyTask).update();
        }
        Figures f = new Figures(p50, p99, max, duplicates, misses, (long) tasks * seconds, busyReached);
        Bench.progress("precision (%s): lag p50 %s, p99 %s, max %s ms; duplicates %d, misses %d", busy ? "busy" : "idle",
                p50.format("%.0f"), p99.format("%.0f"), max.format("%.0f"), duplicates, misses);
        return f;
    }

    /** Enqueues busyRate runs a second of another task, in ten slices a second. */
    private void keepBusy(DueWorkQueue queue, UUID task, AtomicBoolean stop) {
        int perSlice = Math.max(1, busyRate / 10);
        long next = System.nanoTime();
        while (!stop.get()) {
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            List<Instant> occurrences = new ArrayList<>(perSlice);
            for (int i = 0; i < perSlice; i++) {
                occurrences.add(now.plusNanos(i * 1000L));
            }
            queue.enqueueTaskOccurrences(task, occurrences);
            next += 100_000_000L;
            long sleep = (next - System.nanoTime()) / 1_000_000;
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
