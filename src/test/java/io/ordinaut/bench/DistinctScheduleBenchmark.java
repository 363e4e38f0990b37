package io.ordinaut.bench;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.support.Api;
import io.ordinaut.support.Nodes;

/**
 * Distinct schedules at scale (issue 11). Not a test; the lead runs it (command in docs/benchmarks.md).
 * For each node count in bench.nodes, on a fresh database, in ordinaut.trigger.mode bench.mode:
 * <ol>
 *   <li><b>create</b>: bench.distinct tasks (default 10,000), each its own {@code PT10S} schedule (start_at
 *       spread over 10 s), created through the API by 16 clients: tasks/s.</li>
 *   <li><b>steady</b>: those schedules for bench.seconds (60): occurrences expected vs runs recorded,
 *       duplicates, occurrences recorded missed, start lag (started_at − scheduled_for) p50/p99/max.</li>
 *   <li><b>burst</b>: bench.burst (5,000; 0 skips it) {@code once} tasks at one instant, distinct by their
 *       misfire_grace_seconds: how long after the instant the last one started.</li>
 *   <li><b>registered</b> (bench.registered &gt; 0, e.g. 1,000,000, one node): that many distinct yearly
 *       schedules inserted by SQL, then a node started: start-up time, Quartz trigger rows, heap after GC.</li>
 * </ol>
 * System properties: bench.mode (windows), bench.nodes ("1,2"; empty: skip create, steady and burst — with
 * bench.registered, only the registered part runs), bench.distinct, bench.seconds, bench.burst,
 * bench.registered (0), bench.db.host/port/user/password, bench.db.name (ordinaut_bench_distinct; dropped and created), bench.create
 * (single or batch), bench.burst-lead (seconds from the burst's creation to its instant, 60 + burst / 200).
 */
public final class DistinctScheduleBenchmark {

    private final String mode = System.getProperty("bench.mode", "windows");
    private final int distinct = Integer.getInteger("bench.distinct", 10_000);
    private final int seconds = Integer.getInteger("bench.seconds", 60);
    private final int burst = Integer.getInteger("bench.burst", 5_000);
    private final int registered = Integer.getInteger("bench.registered", 0);
    private final String host = System.getProperty("bench.db.host", "127.0.0.1");
    private final String port = System.getProperty("bench.db.port", "5432");
    private final String user = System.getProperty("bench.db.user", "postgres");
    private final String password = System.getProperty("bench.db.password", "");
    /** The database dropped and created for each run; its own per concurrent benchmark. */
    private final String database = System.getProperty("bench.db.name", "ordinaut_bench_distinct");
    /** How tasks are created: {@code single} (POST /tasks, 16 clients) or {@code batch} (POST /tasks/batch of 100). */
    private final String create = System.getProperty("bench.create", "single");
    /** Seconds from the start of the burst's creation to its instant: creating must end before it. */
    private final int burstLead = Integer.getInteger("bench.burst-lead", 60 + burst / 200);

    public static void main(String[] args) throws Exception {
        DistinctScheduleBenchmark bench = new DistinctScheduleBenchmark();
        for (String n : System.getProperty("bench.nodes", "1,2").split(",")) {
            if (!n.isBlank()) {
                bench.steadyAndBurst(Integer.parseInt(n.trim()));
            }
        }
        if (bench.registered > 0) {
            bench.registered();
        }
        System.exit(0);
    }

    private Map<String, Object> props(String id) {
        return Map.of("ordinaut.trigger.mode", mode, "spring.datasource.hikari.maximum-pool-size", 20,
                "logging.level.io.ordinaut", "WARN", "ordinaut.node.id", id);
    }

    private void steadyAndBurst(int nodeCount) throws Exception {
        try (Nodes nodes = new Nodes(recreateDatabase())) {
            List<ConfigurableApplicationContext> started = new ArrayList<>();
            for (int i = 0; i < nodeCount; i++) {
                started.add(nodes.start("bench-" + (i + 1), props("bench-" + (i + 1))));
            }
            Api api = Nodes.api(started.get(0));
            JdbcClient jdbc = Nodes.jdbc(started.get(0));

            Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(10);
            long t0 = System.nanoTime();
            createAll(api, distinct, i -> task("steady " + i, "interval", "PT10S", base.plusNanos(i * 10_000_000_000L / distinct), 3600));
            double createSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("[%s, %d node(s)] create: %,d distinct schedules in %.1f s = %,.0f tasks/s%n", mode, nodeCount, distinct,
                    createSeconds, distinct / createSeconds);

            Instant from = Instant.now().plusSeconds(10).truncatedTo(ChronoUnit.SECONDS);
            Instant to = from.plusSeconds(seconds);
            sleepUntil(to.plusSeconds(15));
            Map<String, Object> steady = jdbc.sql("""
                    SELECT count(*) AS runs, count(DISTINCT (task_id, scheduled_for)) AS distinct_runs,
                           round(CAST(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - scheduled_for) * 1000) AS numeric), 1) AS p50_ms,
                           round(CAST(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - scheduled_for) * 1000) AS numeric), 1) AS p99_ms,
                           round(CAST(max(extract(epoch FROM started_at - scheduled_for) * 1000) AS numeric), 1) AS max_ms
                      FROM task_run WHERE trigger = 'schedule' AND scheduled_for >= :from AND scheduled_for < :to
                    """).param("from", Timestamp.from(from)).param("to", Timestamp.from(to)).query().singleRow();
            Object missed = jdbc.sql("SELECT coalesce(sum(missed_count), 0) FROM missed_occurrence").query().singleValue();
            System.out.printf("[%s, %d node(s)] steady %d s: expected %,d occurrences; %s; missed %s%n", mode, nodeCount, seconds,
                    (long) distinct * seconds / 10, steady, missed);

            if (burst == 0) {
                return;
            }
            api.get("/tasks?limit=1");
            Instant instant = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(burstLead);
            createAll(api, burst, i -> task("burst " + i, "once", instant.toString(), null, 60 + i));
            System.out.printf("[%s, %d node(s)] burst: %,d created %.1f s before the instant%n", mode, nodeCount, burst,
                    Duration.between(Instant.now(), instant).toMillis() / 1e3);
            sleepUntil(instant.plusSeconds(20));
            Map<String, Object> burstRow = jdbc.sql("""
                    SELECT count(*) AS runs, round(CAST(max(extract(epoch FROM started_at - scheduled_for) * 1000) AS numeric), 1) AS last_start_ms
                      FROM task_run WHERE scheduled_for = :at AND task_id IN (SELECT id FROM task WHERE title LIKE 'burst %')
                    """).param("at", Timestamp.from(instant)).query().singleRow();
            System.out.printf("[%s, %d node(s)] burst: %,d distinct schedules at one instant: %s%n", mode, nodeCount, burst, burstRow);
        }
    }

    private void registered() throws Exception {
        String url = recreateDatabase();
        try (Nodes nodes = new Nodes(url)) {
            ConfigurableApplicationContext first = nodes.start("bench-setup", props("bench-setup"));
            JdbcClient jdbc = Nodes.jdbc(first);
            jdbc.sql("""
                    INSERT INTO schedule (id, sharing_key, kind, expr, timezone, anchor, misfire_grace_seconds, next_fire_at)
                    SELECT gen_random_uuid(), 'bench-' || g, 'cron', '0 0 1 1 *', 'UTC', now(), 60 + g, date_trunc('year', now()) + interval '1 year'
                      FROM generate_series(1, :n) g
                    """).param("n", registered).update();
            nodes.stop(first);
            System.gc();
            long t0 = System.nanoTime();
            ConfigurableApplicationContext node = nodes.start("bench-1", props("bench-1"));
            double startup = (System.nanoTime() - t0) / 1e9;
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            Object triggers = Nodes.jdbc(node).sql("SELECT count(*) FROM qrtz_triggers").query().singleValue();
            System.out.printf("[%s] registered %,d distinct schedules: start-up %.1f s, Quartz triggers %s, heap after GC %,d MB%n",
                    mode, registered, startup, triggers, heap / (1024 * 1024));
            // What each window fire costs with them present (none due): the due-schedule scan, per call.
            Thread.sleep(30_000);
            Map<String, Object> due = Nodes.jdbc(node).sql("""
                    SELECT coalesce(sum(calls), 0) AS calls, round(CAST(coalesce(max(mean_exec_time), 0) AS numeric), 2) AS mean_ms,
                           round(CAST(coalesce(max(max_exec_time), 0) AS numeric), 2) AS max_ms
                      FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                     WHERE d.datname = current_database() AND s.query LIKE '%fire_bucket %'
                    """).query().singleRow();
            System.out.printf("[%s] registered %,d distinct schedules: window fires' due-schedule scan over 30 s: %s%n", mode, registered, due);
        }
    }

    private static Map<String, Object> task(String title, String kind, String expr, Instant startAt, int grace) {
        Map<String, Object> task = new HashMap<>(Map.of("title", title, "schedule_kind", kind, "schedule_expr", expr,
                "misfire_grace_seconds", grace, "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run")))));
        if (startAt != null) {
            task.put("start_at", startAt.toString());
        }
        return task;
    }

    private void createAll(Api api, int n, IntFunction<Map<String, Object>> task) throws Exception {
        boolean batch = create.equals("batch");
        ExecutorService clients = Executors.newFixedThreadPool(batch ? 4 : 16);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i += batch ? 100 : 1) {
                int k = i;
                if (batch) {
                    futures.add(clients.submit(() -> api.post("/tasks/batch", Map.of("tasks",
                            java.util.stream.IntStream.range(k, Math.min(n, k + 100)).mapToObj(task).toList())).expect(200)));
                } else {
                    futures.add(clients.submit(() -> api.post("/tasks", task.apply(k)).expect(201)));
                }
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            clients.shutdownNow();
        }
    }

    private static void sleepUntil(Instant at) throws InterruptedException {
        long millis = Duration.between(Instant.now(), at).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    private String recreateDatabase() throws Exception {
        String base = "jdbc:postgresql://" + host + ":" + port + "/";
        try (Connection c = DriverManager.getConnection(base + "postgres", user, password); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + database);
        }
        return base + database;
    }
}
