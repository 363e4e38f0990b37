package io.ordinaut.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.queue.DueWorkQueue;
import io.ordinaut.support.Nodes;

/**
 * Throughput of whole nodes: enqueue → claim → pipeline (one simulated no-op step) → recorded run.
 * Not a test. Run it with the command in docs/benchmarks.md; it writes its figures there.
 *
 * <p>For 1 and 2 nodes (real Spring applications on one database): a backlog of N runs (default
 * 100,000 — one run for each of N tasks sharing a schedule, enqueued by the one INSERT … SELECT a Quartz
 * fire does) is drained; reported are runs/s from the occurrence to the last recorded run, start lag
 * (started_at − run_at) percentiles over the backlog, and the start lag of single runs queued one at a
 * time on the idle cluster. A warm-up backlog runs first so the JIT has compiled the hot path.
 *
 * The backlog is measured bench.repeat times per node count and the median run (by runs/s) reported,
 * with the range, because a shared machine's figures vary from run to run.
 *
 * <p>System properties: bench.runs (100000), bench.nodes ("1,2"), bench.threads (64), bench.batch (200),
 * bench.repeat (3), bench.db.host/port/user/password (127.0.0.1, 5432, postgres, ""), bench.db.name
 * (ordinaut_bench; dropped and recreated), bench.out
 * (docs/benchmarks.md).
 */
public final class QueueBenchmark {

    private static final UUID SYSTEM_AGENT = UUID.fromString("00000000-0000-0000-0000-000000000001");

    private final int runs = Integer.getInteger("bench.runs", 100_000);
    private final int threads = Integer.getInteger("bench.threads", 64);
    private final int batch = Integer.getInteger("bench.batch", 200);
    private final int repeat = Integer.getInteger("bench.repeat", 3);
    private final String host = System.getProperty("bench.db.host", "127.0.0.1");
    private final String port = System.getProperty("bench.db.port", "5432");
    private final String user = System.getProperty("bench.db.user", "postgres");
    private final String password = System.getProperty("bench.db.password", "");

    public static void main(String[] args) throws Exception {
        QueueBenchmark bench = new QueueBenchmark();
        List<Result> results = new ArrayList<>();
        for (String n : System.getProperty("bench.nodes", "1,2").split(",")) {
            results.add(bench.measure(Integer.parseInt(n.trim())));
        }
        String report = report(bench, results);
        System.out.println(report);
        Path out = Path.of(System.getProperty("bench.out", "docs/benchmarks.md"));
        write(out, report);
        System.out.println("Written to " + out.toAbsolutePath());
        System.exit(0);
    }

    private Result measure(int nodeCount) throws Exception {
        String url = recreateDatabase(System.getProperty("bench.db.name", "ordinaut_bench"));
        try (Nodes nodes = new Nodes(url)) {
            List<ConfigurableApplicationContext> started = new ArrayList<>();
            for (int i = 0; i < nodeCount; i++) {
                started.add(nodes.start("bench-" + (i + 1), Map.of(
                        "ordinaut.executor.threads", threads,
                        "ordinaut.executor.claim-batch-size", batch,
                        "spring.datasource.hikari.maximum-pool-size", 20,
                        "logging.level.io.ordinaut", "WARN")));
            }
            ConfigurableApplicationContext first = started.get(0);
            JdbcClient jdbc = Nodes.jdbc(first);
            DueWorkQueue queue = first.getBean(DueWorkQueue.class);
            if (!Boolean.parseBoolean(System.getProperty("bench.outbox", "true"))) {
                // -Dbench.outbox=false: the same queue without the lifecycle outbox triggers (event package),
                // to measure what writing every run's lifecycle to the outbox costs.
                for (String table : List.of("due_work", "task_run", "task")) {
                    jdbc.sql("ALTER TABLE " + table + " DISABLE TRIGGER USER").update();
                }
            }

            System.out.printf("[%d node(s)] warm-up: %,d runs%n", nodeCount, Math.min(runs, 20_000));
            drain(jdbc, queue, Math.min(runs, 20_000));
            jdbc.sql("TRUNCATE task_run").update();
            // Statistics of an empty queue, as autovacuum often leaves them: the claim's plan must not care.
            jdbc.sql("VACUUM ANALYZE due_work").update();
            jdbc.sql("VACUUM ANALYZE task").update();

            List<Result> repeats = new ArrayList<>();
            for (int i = 1; i <= repeat; i++) {
                System.out.printf("[%d node(s)] backlog %d of %d: %,d runs%n", nodeCount, i, repeat, runs);
                repeats.add(backlog(nodeCount, jdbc, queue));
                jdbc.sql("TRUNCATE task_run").update();
                jdbc.sql("VACUUM due_work").update();
            }
            repeats.sort(java.util.Comparator.comparingDouble(Result::runsPerSecond));
            Result median = repeats.get(repeats.size() / 2);

            System.out.printf("[%d node(s)] idle start lag: 200 single runs%n", nodeCount);
            Map<String, Object> idle = idleLag(jdbc, queue);
            return new Result(nodeCount, median.enqueueMillis(), median.runsPerSecond(), median.drainRunsPerSecond(),
                    repeats.get(0).runsPerSecond(), repeats.get(repeats.size() - 1).runsPerSecond(), median.backlogLag(), idle,
                    median.perNode());
        }
    }

    private Result backlog(int nodeCount, JdbcClient jdbc, DueWorkQueue queue) throws InterruptedException {
        Backlog backlog = drain(jdbc, queue, runs);
        Map<String, Object> lag = lagPercentiles(jdbc, "trigger = 'schedule'");
        Instant firstStart = ((Timestamp) jdbc.sql("SELECT min(started_at) FROM task_run").query().singleValue()).toInstant();
        Instant lastEnd = ((Timestamp) jdbc.sql("SELECT max(finished_at) FROM task_run").query().singleValue()).toInstant();
        double seconds = Duration.between(backlog.occurrence(), lastEnd).toNanos() / 1e9;
        double drainSeconds = Duration.between(firstStart, lastEnd).toNanos() / 1e9;
        Map<String, Object> perNode = new LinkedHashMap<>();
        jdbc.sql("SELECT lease_owner, count(*) AS n FROM task_run GROUP BY 1 ORDER BY 1").query().listOfRows()
                .forEach(r -> perNode.put((String) r.get("lease_owner"), r.get("n")));
        System.out.printf("[%d node(s)]   %,.0f runs/s%n", nodeCount, runs / seconds);
        return new Result(nodeCount, backlog.enqueueMillis(), runs / seconds, runs / drainSeconds, runs / seconds,
                runs / seconds, lag, Map.of(), perNode);
    }

    private record Backlog(Instant occurrence, long enqueueMillis) {
    }

    /** N tasks on one schedule, one occurrence: one INSERT … SELECT queues N runs; waits until all are recorded. */
    private Backlog drain(JdbcClient jdbc, DueWorkQueue queue, int count) throws InterruptedException {
        UUID schedule = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO schedule (id, sharing_key, kind, expr, timezone, anchor, misfire_grace_seconds)
                VALUES (:id, :id, 'interval', 'PT1H', 'UTC', now(), 60)""").param("id", schedule).update();
        jdbc.sql("""
                INSERT INTO task (id, title, created_by, schedule_kind, schedule_expr, timezone, payload, status, priority,
                                  max_retries, backoff_strategy, misfire_grace_seconds, schedule_id, active_since, created_at, updated_at)
                SELECT gen_random_uuid(), 'bench ' || g, :agent, 'interval', 'PT1H', 'UTC',
                       '{"pipeline": [{"id": "noop", "uses": "noop.run", "with": {"n": "${params.n}"}}], "params": {"n": 1}}',
                       'active', 1 + g % 9, 3, 'exponential_jitter', 60, :schedule, now() - interval '1 hour', now(), now()
                  FROM generate_series(1, :count) g""")
                .param("agent", SYSTEM_AGENT).param("schedule", schedule).param("count", count).update();
        jdbc.sql("ANALYZE task").update();
        Instant occurrence = Instant.now().truncatedTo(ChronoUnit.MICROS);
        long t0 = System.nanoTime();
        int queued = queue.enqueueScheduleOccurrence(schedule, occurrence);
        long enqueueMillis = (System.nanoTime() - t0) / 1_000_000;
        if (queued != count) {
            throw new IllegalStateException("queued " + queued + " of " + count);
        }
        // Polling must not load the database it measures: first wait (cheaply) for the queue to empty,
        // then count the history once or twice.
        long deadline = System.currentTimeMillis() + 600_000;
        while (Boolean.TRUE.equals(jdbc.sql("SELECT EXISTS (SELECT 1 FROM due_work)").query(Boolean.class).single())) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("backlog not drained within 10 minutes");
            }
            Thread.sleep(50);
        }
        while (jdbc.sql("SELECT count(*) FROM task_run r JOIN task t ON t.id = r.task_id WHERE t.schedule_id = :s")
                .param("s", schedule).query(Long.class).single() < count) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("backlog not recorded within 10 minutes");
            }
            Thread.sleep(50);
        }
        jdbc.sql("UPDATE task SET status = 'completed', schedule_id = NULL WHERE schedule_id = :s").param("s", schedule).update();
        return new Backlog(occurrence, enqueueMillis);
    }

    // With no jitter and no snooze, a run is due at its scheduled_for, so the lag is started_at − scheduled_for.

    /** Single runs queued one at a time on an idle cluster, 20 ms apart. */
    private Map<String, Object> idleLag(JdbcClient jdbc, DueWorkQueue queue) throws InterruptedException {
        jdbc.sql("TRUNCATE task_run").update();
        UUID task = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO task (id, title, created_by, schedule_kind, schedule_expr, timezone, payload, status, priority,
                                  max_retries, backoff_strategy, misfire_grace_seconds, active_since, created_at, updated_at,
                                  overlap_policy)
                VALUES (:id, 'idle', :agent, 'event', 'bench', 'UTC', '{"pipeline": [{"id": "noop", "uses": "noop.run"}]}',
                        'active', 5, 0, 'fixed', 60, now(), now(), now(), 'allow')""")
                .param("id", task).param("agent", SYSTEM_AGENT).update();
        for (int i = 0; i < 200; i++) {
            queue.enqueueNow(task, "run_now", Instant.now());
            Thread.sleep(20);
        }
        while (jdbc.sql("SELECT count(*) FROM task_run").query(Long.class).single() < 200) {
            Thread.sleep(50);
        }
        return lagPercentiles(jdbc, "trigger = 'run_now'");
    }

    private static Map<String, Object> lagPercentiles(JdbcClient jdbc, String where) {
        return jdbc.sql("""
                SELECT round(CAST(percentile_cont(0.5) WITHIN GROUP (ORDER BY lag) AS numeric), 1) AS p50,
                       round(CAST(percentile_cont(0.95) WITHIN GROUP (ORDER BY lag) AS numeric), 1) AS p95,
                       round(CAST(percentile_cont(0.99) WITHIN GROUP (ORDER BY lag) AS numeric), 1) AS p99,
                       round(CAST(max(lag) AS numeric), 1) AS max
                  FROM (SELECT extract(epoch FROM started_at - scheduled_for) * 1000 AS lag
                          FROM task_run WHERE %s) x""".formatted(where)).query().singleRow();
    }

    private String recreateDatabase(String name) throws SQLException {
        String base = "jdbc:postgresql://" + host + ":" + port + "/";
        try (Connection c = DriverManager.getConnection(base + "postgres", user, password); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name);
        }
        return base + name;
    }

    private record Result(int nodes, long enqueueMillis, double runsPerSecond, double drainRunsPerSecond, double slowest,
                          double fastest, Map<String, Object> backlogLag, Map<String, Object> idleLag, Map<String, Object> perNode) {
    }

    private static String report(QueueBenchmark b, List<Result> results) {
        StringBuilder s = new StringBuilder();
        s.append("## Results (").append(LocalDate.now()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, local PostgreSQL)\n\n");
        s.append(String.format("Backlog of %,d no-op runs, %d worker threads and claim batches of %d per node; median of %d "
                + "backlogs (range in brackets).%n%n", b.runs, b.threads, b.batch, b.repeat));
        s.append("| nodes | enqueue (1 statement) | runs/s (occurrence → last recorded) | runs/s (first start → last recorded) "
                + "| backlog start lag p50 / p95 / p99 / max (ms) | idle start lag p50 / p95 / p99 / max (ms) | runs per node |\n");
        s.append("|---|---|---|---|---|---|---|\n");
        for (Result r : results) {
            s.append(String.format("| %d | %,d ms | %,.0f (%,.0f–%,.0f) | %,.0f | %s / %s / %s / %s | %s / %s / %s / %s | %s |%n",
                    r.nodes(), r.enqueueMillis(), r.runsPerSecond(), r.slowest(), r.fastest(), r.drainRunsPerSecond(),
                    r.backlogLag().get("p50"), r.backlogLag().get("p95"), r.backlogLag().get("p99"), r.backlogLag().get("max"),
                    r.idleLag().get("p50"), r.idleLag().get("p95"), r.idleLag().get("p99"), r.idleLag().get("max"),
                    r.perNode()));
        }
        return s.toString();
    }

    /** Replaces the "## Results" section of the document (or appends one), keeping the rest. */
    private static void write(Path out, String report) throws IOException {
        String doc = Files.exists(out) ? Files.readString(out) : "# Benchmarks\n\n";
        int start = doc.indexOf("## Results");
        if (start >= 0) {
            int end = doc.indexOf("\n## ", start + 1);
            doc = doc.substring(0, start) + report + (end >= 0 ? doc.substring(end) : "");
        } else {
            doc = doc + (doc.endsWith("\n") ? "\n" : "\n\n") + report;
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, doc);
    }
}
