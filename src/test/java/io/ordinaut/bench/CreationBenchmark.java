package io.ordinaut.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.support.Api;
import io.ordinaut.support.Nodes;

/**
 * Task creation throughput (issues 11 and 15). Not a test; run by hand (command in docs/benchmarks.md).
 * One node on a fresh database (bench.db.name, default ordinaut_bench_create), closed loop of bench.clients
 * (16) HTTP clients, each phase bench.count (3,000) tasks, as the admin and as a non-admin agent (whose
 * requests pass the rate limiter; its burst limit is raised so it never refuses), no executor role (nothing runs):
 * <ul>
 *   <li><b>distinct</b>: each task its own {@code interval PT1H} schedule starting 5 s ahead, distinct by misfire_grace_seconds
 *       (the join enqueues its first run; the next is an hour away);</li>
 *   <li><b>shared</b>: every task on one shared {@code interval PT1H} schedule starting a few seconds ahead
 *       (each join enqueues the occurrence the schedule enqueued ahead);</li>
 *   <li><b>batch</b>: POST /tasks/batch, bench.batches (5) calls of 1,000 distinct schedules each, one client.</li>
 * </ul>
 * Per phase: tasks/s, and per task: JVM CPU ms (server and the in-process clients), PostgreSQL backend CPU ms
 * (the node's connections, from /proc) and statements (pg_stat_statements of the database).
 */
public final class CreationBenchmark {

    private final String host = System.getProperty("bench.db.host", "127.0.0.1");
    private final String port = System.getProperty("bench.db.port", "5432");
    private final String user = System.getProperty("bench.db.user", "postgres");
    private final String password = System.getProperty("bench.db.password", "");
    private final String database = System.getProperty("bench.db.name", "ordinaut_bench_create");
    private final int clients = Integer.getInteger("bench.clients", 16);
    private final int count = Integer.getInteger("bench.count", 3_000);
    private final int batches = Integer.getInteger("bench.batches", 5);
    private final String phases = System.getProperty("bench.phases", "distinct,shared,batch");
    private final AtomicInteger sequence = new AtomicInteger();
    private JdbcClient jdbc;

    public static void main(String[] args) throws Exception {
        new CreationBenchmark().run();
        System.exit(0);
    }

    private void run() throws Exception {
        try (Nodes nodes = new Nodes(recreateDatabase())) {
            ConfigurableApplicationContext node = nodes.start("bench-1", Map.of(
                    "ordinaut.trigger.mode", System.getProperty("bench.mode", "windows"),
                    "spring.datasource.hikari.maximum-pool-size", 20,
                    "logging.level.io.ordinaut", "WARN",
                    "ordinaut.node.roles", "api,scheduler",
                    "ordinaut.security.burst-per-second", 1_000_000));
            Api admin = Nodes.api(node);
            jdbc = Nodes.jdbc(node);
            String agentId = admin.post("/agents", Map.of("name", "bench-" + UUID.randomUUID().toString().substring(0, 8),
                    "scopes", List.of("tasks:create", "tasks:read"))).expect(201).string("id");
            String secret = admin.post("/agents/" + agentId + "/credentials", "{}").expect(200).string("agent_secret");
            Api agent = admin.as(admin.as(null).post("/agents/auth/token", Map.of("agent_id", agentId, "agent_secret", secret))
                    .expect(200).string("access_token"));
            // Distinct: the first occurrence a few seconds ahead (inside the horizon, so the join enqueues it), each its own grace.
            // Shared: interval PT1H starting a few seconds ahead, so each join enqueues the occurrence the
            // schedule already enqueued ahead. No executor role: nothing runs while the phases measure.
            IntFunction<Map<String, Object>> distinct = i -> with(task("interval", "PT1H",
                    Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.SECONDS)), "misfire_grace_seconds", 60 + sequence.incrementAndGet());
            Instant shared = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(8);

            // Warm-up: JIT, pools, statement caches.
            phase("warm-up", admin, count / 3, distinct);
            for (String p : phases.split(",")) {
                switch (p.trim()) {
                    case "distinct" -> {
                        phase("distinct, admin", admin, count, distinct);
                        phase("distinct, agent", agent, count, distinct);
                    }
                    case "shared" -> {
                        phase("shared, admin", admin, count, i -> task("interval", "PT1H", shared));
                        phase("shared, agent", agent, count, i -> task("interval", "PT1H", shared));
                    }
                    case "batch" -> {
                        batch("batch distinct, admin", admin, distinct);
                        batch("batch shared, agent", agent, i -> task("interval", "PT1H", shared.plusSeconds(1)));
                    }
                    default -> throw new IllegalArgumentException("bench.phases: unknown phase " + p);
                }
            }
        }
    }

    private void phase(String name, Api api, int n, IntFunction<Map<String, Object>> task) throws Exception {
        Sample before = sample();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            AtomicInteger next = new AtomicInteger();
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                        api.post("/tasks", task.apply(i)).expect(201);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        report(name, n, before, sample());
    }

    private void batch(String name, Api api, IntFunction<Map<String, Object>> task) throws Exception {
        Sample before = sample();
        for (int b = 0; b < batches; b++) {
            List<Map<String, Object>> items = new ArrayList<>(1000);
            for (int i = 0; i < 1000; i++) {
                items.add(task.apply(i));
            }
            api.post("/tasks/batch", Map.of("tasks", items, "atomic", true)).expect(200);
        }
        report(name, batches * 1000, before, sample());
    }

    /** CPU ticks per thread group of this JVM (thread names with digits folded), from /proc/self/task. */
    private static Map<String, Long> threadTicks() {
        Map<String, Long> ticks = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+", "N");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.merge(comm, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (Exception gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (Exception e) {
            return ticks;
        }
        return ticks;
    }

    private void report(String name, int n, Sample before, Sample after) {
        if (Boolean.getBoolean("bench.threads")) {
            StringBuilder top = new StringBuilder();
            after.threads.entrySet().stream()
                    .map(e -> Map.entry(e.getKey(), e.getValue() - before.threads.getOrDefault(e.getKey(), 0L)))
                    .filter(e -> e.getValue() > 0)
                    .sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(8)
                    .forEach(e -> top.append(String.format(" %s=%.2f", e.getKey(), e.getValue() * 10.0 / n)));
            System.out.printf("[create] %-22s JVM CPU ms per task by thread:%s%n", name, top);
        }
        double seconds = (after.nanos - before.nanos) / 1e9;
        System.out.printf("[create] %-22s %,6d tasks in %5.2f s = %,7.0f tasks/s; per task: JVM CPU %.2f ms, PostgreSQL CPU %.2f ms,"
                        + " %.1f statements%n", name, n, seconds, n / seconds,
                (after.jvmCpuNanos - before.jvmCpuNanos) / 1e6 / n, (after.pgCpuTicks - before.pgCpuTicks) * 10.0 / n,
                (after.statements - before.statements) / (double) n);
    }

    private Sample sample() {
        long statements = jdbc.sql("""
                SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = :db)
                """).param("db", database).query(Long.class).single();
        List<Integer> pids = jdbc.sql("SELECT pid FROM pg_stat_activity WHERE datname = :db").param("db", database)
                .query(Integer.class).list();
        long ticks = 0;
        for (int pid : pids) {
            ticks += cpuTicks(pid);
        }
        long jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        return new Sample(System.nanoTime(), jvm, ticks, statements, threadTicks());
    }

    /** utime + stime of a process, in clock ticks (1/100 s), or 0 when it is gone. */
    private static long cpuTicks(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception e) {
            return 0;
        }
    }

    private static Map<String, Object> task(String kind, String expr, Instant startAt) {
        Map<String, Object> task = new HashMap<>(Map.of("title", "create bench", "schedule_kind", kind, "schedule_expr", expr, "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run")))));
        if (startAt != null) {
            task.put("start_at", startAt.toString());
        }
        return task;
    }

    private static Map<String, Object> with(Map<String, Object> task, String field, Object value) {
        task.put(field, value);
        return task;
    }

    private String recreateDatabase() throws Exception {
        String base = "jdbc:postgresql://" + host + ":" + port + "/";
        try (Connection c = DriverManager.getConnection(base + "postgres", user, password); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + database);
        }
        return base + database;
    }

    private record Sample(long nanos, long jvmCpuNanos, long pgCpuTicks, long statements, Map<String, Long> threads) {
    }
}
