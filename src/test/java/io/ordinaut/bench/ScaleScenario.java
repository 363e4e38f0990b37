package io.ordinaut.bench;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.context.ConfigurableApplicationContext;

import io.ordinaut.support.Api;
import io.ordinaut.support.Nodes;

/**
 * Scenario 5: a million registered tasks (mixed cron, RRULE and interval on 1,000 distinct schedules,
 * none due during the run), created through POST /tasks/batch against a node running in a JVM of its
 * own — so its heap and RSS are the node's alone: creation rate, heap after GC and RSS, start-up time,
 * GET /tasks page latency with filters, and then scenario 3's lag on 2 nodes with the million present.
 *
 * <p>-Dbench.scale.load=sql loads them faster: one POST /tasks/batch of 1,000 tasks, one on each of the
 * 1,000 schedules (so the schedule rows, next_fire_at and ledger are the node's own), then the rest
 * cloned from those by SQL in chunks of 100,000 (each attached to its seed's schedule, created_at spread
 * over the clones, through the same table triggers). No creation rate is reported then.
 */
final class ScaleScenario {

    private final int tasks = Bench.size("scale.tasks", 1_000_000, 50_000);
    private final int clients = Integer.getInteger("bench.scale.clients", 8);
    private final String heap = System.getProperty("bench.scale.xmx", "-Xmx1g");
    private final Path log = Path.of("target", "bench-scale-node.log");
    /** How long a start may take before the scenario gives up: a loaded machine needs more than the default. */
    private final int readyMinutes = Integer.getInteger("bench.scale.ready-minutes", 5);
    private final boolean sqlLoad = "sql".equals(System.getProperty("bench.scale.load", "api"));
    private static final int CLONE_CHUNK = 100_000;

    /** Clones the seed tasks (one per schedule) as tasks :lo..:hi, each on its seed's schedule. */
    private static final String CLONE = """
            INSERT INTO task (id, title, description, created_by, schedule_kind, schedule_expr, timezone, payload, status, priority,
                              max_retries, backoff_strategy, dedupe_key, dedupe_window_seconds, concurrency_key, misfire_grace_seconds,
                              jitter_seconds, start_at, end_at, schedule_id, active_since, created_at, updated_at, overlap_policy,
                              run_timeout_seconds, concurrency_limit)
            SELECT gen_random_uuid(), 'scale ' || g, s.description, s.created_by, s.schedule_kind, s.schedule_expr, s.timezone,
                   s.payload, s.status, s.priority, s.max_retries, s.backoff_strategy, s.dedupe_key, s.dedupe_window_seconds,
                   s.concurrency_key, s.misfire_grace_seconds, s.jitter_seconds, s.start_at, s.end_at, s.schedule_id, s.active_since,
                   s.created_at + g * interval '1 millisecond', s.updated_at, s.overlap_policy, s.run_timeout_seconds,
                   s.concurrency_limit
              FROM generate_series(?, ?) g
              JOIN (SELECT *, row_number() OVER (ORDER BY title) - 1 AS k FROM task WHERE title LIKE 'scale seed %') s
                ON s.k = g % 1000
            """;

    /** @param cpuSeconds CPU time the node's JVM had used when it answered ready: start-up work, whatever the machine's load */
    private record Node(Process process, String base, double startupSeconds, double cpuSeconds) {
    }

    private static final List<String> QUERIES = List.of(
            "/tasks?status=active&schedule_kind=cron&limit=50",
            "/tasks?schedule_kind=interval&limit=50&offset=5000",
            "/tasks?created_by=00000000-0000-0000-0000-000000000001&status=active&limit=200");

    String run() throws Exception {
        String url = Bench.freshDatabase();
        Bench.Rounds creation = new Bench.Rounds();
        Bench.Rounds startup = new Bench.Rounds();
        Bench.Rounds heapMb = new Bench.Rounds();
        Bench.Rounds rssMb = new Bench.Rounds();
        Bench.Rounds cpu = new Bench.Rounds();
        Map<String, Bench.Rounds> pageP50 = new java.util.LinkedHashMap<>();
        Map<String, Bench.Rounds> pageP99 = new java.util.LinkedHashMap<>();
        QUERIES.forEach(q -> {
            pageP50.put(q, new Bench.Rounds());
            pageP99.put(q, new Bench.Rounds());
        });
        Node node = start(url);
        try {
            if (sqlLoad) {
                loadBySql(node, url);
            } else {
                createThroughApi(node, creation);
            }
        } finally {
            stop(node);
        }
        String registered = "?";
        for (int round = 1; round <= Bench.ROUNDS; round++) {
            node = start(url);
            try {
                startup.add(node.startupSeconds());
                Thread.sleep(5_000);
                long[] memory = memory(node.process());
                heapMb.add(memory[0] / 1024.0);
                rssMb.add(memory[1] / 1024.0);
                cpu.add(node.cpuSeconds());
                StringBuilder latencies = new StringBuilder();
                for (String query : QUERIES) {
                    LoadGenerator.Result pages = LoadGenerator.run(List.of(node.base()), 4, Duration.ofSeconds(Bench.QUICK ? 3 : 5), 0, 200,
                            (c, k) -> LoadGenerator.Request.get(query));
                    pageP50.get(query).add(pages.p50Millis());
                    pageP99.get(query).add(pages.p99Millis());
                    latencies.append(String.format(", %s p50 %.0f ms p99 %.0f ms", query, pages.p50Millis(), pages.p99Millis()));
                }
                registered = String.valueOf(new Api(Integer.parseInt(node.base().substring(node.base().lastIndexOf(':') + 1)))
                        .get("/tasks?limit=1").expect(200).get("total"));
                Bench.progress("scale round %d: start-up %.1f s (%.1f s CPU), heap after GC %,.0f MB, RSS %,.0f MB%s",
                        round, node.startupSeconds(), node.cpuSeconds(), memory[0] / 1024.0, memory[1] / 1024.0, latencies);
            } finally {
                stop(node);
            }
        }
        PrecisionScenario precision = new PrecisionScenario();
        StringBuilder lag = new StringBuilder();
        try (Nodes nodes = new Nodes(url)) {
            List<ConfigurableApplicationContext> started = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                started.add(nodes.start("scale-" + i, Bench.nodeProperties("scale-" + i, Map.of())));
            }
            precision.createTasks(Nodes.api(started.get(0)));
            lag.append(PrecisionScenario.row("2 nodes, idle, with the tasks registered", precision.measure(started, false)));
            lag.append(PrecisionScenario.row("2 nodes, queue busy, with the tasks registered", precision.measure(started, true)));
        }
        StringBuilder pages = new StringBuilder("| GET | p50 (ms) | p99 (ms) |%n|---|---|---|%n".formatted());
        QUERIES.forEach(q -> pages.append(String.format("| `%s` | %s | %s |%n", q, pageP50.get(q).format("%,.0f"), pageP99.get(q).format("%,.0f"))));
        String loaded = sqlLoad
                ? "1,000 created through one POST /tasks/batch (one per schedule), the rest cloned from them by SQL (bench.scale.load=sql)"
                : "created through POST /tasks/batch (1,000 per batch on 10 schedules, " + clients + " clients)";
        return String.format("### 5. Scale%n%n%s tasks registered (cron, RRULE and interval in turn on 1,000 distinct schedules, none due "
                + "during the run), %s, on one node in its own JVM (%s). "
                + "Creation rate: median (min–max) of the three thirds of the creation; the others: median (min–max) of %d restarts "
                + "of that node with the tasks present (start-up CPU: the node JVM's CPU time when it answered ready). "
                + "Page latency: 4 clients, each filter for %d s each restart.%n%n"
                + "| creation tasks/s | start-up (s) | start-up CPU (s) | heap after GC (MB) | RSS (MB) |%n"
                + "|---|---|---|---|---|%n| %s | %s | %s | %s | %s |%n%n%s%n%s%s",
                registered, loaded, heap, Bench.ROUNDS, Bench.QUICK ? 3 : 5, creation.format("%,.0f"), startup.format("%.1f"),
                cpu.format("%.1f"), heapMb.format("%,.0f"), rssMb.format("%,.0f"), pages,
                precision.header("Scenario 3 with them present:"), lag);
    }

    private void createThroughApi(Node node, Bench.Rounds creation) throws Exception {
        int batches = (tasks + 999) / 1000;
        int[] thirds = {batches / 3, batches / 3, batches - 2 * (batches / 3)};
        int done = 0;
        AtomicInteger batchNo = new AtomicInteger();
        for (int part = 0; part < 3; part++) {
            LoadGenerator.Result r = LoadGenerator.run(List.of(node.base()), clients, null, thirds[part], 200, (client, k) -> {
                int b = batchNo.getAndIncrement();
                return new LoadGenerator.Request("/tasks/batch", ApiScenario.batch(1000, i -> task(b, i)));
            });
            if (r.failures() > 0) {
                Bench.progress("scale: %d of %d batches failed, first: %s", r.failures(), r.requests(), r.firstFailure());
            }
            creation.add(r.perSecond() * 1000);
            done += thirds[part];
            Bench.progress("scale: %,d of %,d tasks created (%,.0f tasks/s, batch p99 %,.0f ms)", done * 1000, tasks,
                    r.perSecond() * 1000, r.p99Millis());
        }
    }

    /** One batch of seeds through the API, one per schedule, then clones by SQL up to the size. */
    private void loadBySql(Node node, String url) throws Exception {
        String seeds = ApiScenario.batch(1000, s -> onSchedule("scale seed " + String.format("%03d", s), s));
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(node.base() + "/tasks/batch"))
                .header("Authorization", "Bearer " + Api.ADMIN_TOKEN).header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(10)).POST(HttpRequest.BodyPublishers.ofString(seeds)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 || !r.body().contains("\"created\":1000")) {
            throw new IllegalStateException("Seeding the 1,000 schedules failed: " + r.statusCode() + " " + r.body().substring(0, 300));
        }
        try (Connection c = DriverManager.getConnection(url, Bench.USER, Bench.PASSWORD);
             PreparedStatement clone = c.prepareStatement(CLONE)) {
            for (int lo = 1000; lo < tasks; lo += CLONE_CHUNK) {
                clone.setInt(1, lo);
                clone.setInt(2, Math.min(tasks, lo + CLONE_CHUNK) - 1);
                clone.executeUpdate();
                Bench.progress("scale: %,d of %,d tasks (seeds through the API, the rest cloned by SQL)", Math.min(tasks, lo + CLONE_CHUNK), tasks);
            }
            try (Statement st = c.createStatement()) {
                st.execute("VACUUM ANALYZE task");
            }
        }
    }

    /**
     * Task i of batch b: each batch puts 100 tasks on each of 10 of the 1,000 schedules — cron, RRULE or
     * interval in turn, months away, so nothing fires during the run.
     */
    private static String task(int b, int i) {
        return onSchedule("scale " + b + "-" + i, (b * 10 + i / 100) % 1000);
    }

    /** A task on schedule s of the 1,000. */
    private static String onSchedule(String title, int s) {
        int month = Instant.now().atZone(ZoneOffset.UTC).plusMonths(6).getMonthValue();
        int day = 1 + s % 28;
        int hour = (s / 28) % 24;
        int minute = s % 60;
        return switch (s % 3) {
            case 0 -> ApiScenario.task(title, "cron", minute + " " + hour + " " + day + " " + month + " *", null);
            case 1 -> ApiScenario.task(title, "rrule", "FREQ=YEARLY;BYMONTH=" + month + ";BYMONTHDAY=" + day + ";BYHOUR=" + hour
                    + ";BYMINUTE=" + minute, null);
            default -> ApiScenario.task(title, "interval", "P7D",
                    "\"start_at\": \"" + Instant.parse("2030-01-01T00:00:00Z").plusSeconds(60L * s) + "\"");
        };
    }

    private Node start(String url) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, heap, "-cp", System.getProperty("java.class.path"),
                "io.ordinaut.OrdinautApplication"));
        Map<String, Object> props = Bench.nodeProperties("scale-node", Map.of(
                "spring.datasource.url", url, "spring.datasource.username", Bench.USER, "spring.datasource.password", Bench.PASSWORD,
                "server.port", port, "ordinaut.security.admin-token", Api.ADMIN_TOKEN));
        props.forEach((k, v) -> command.add("--" + k + "=" + v));
        Files.createDirectories(log.getParent());
        long t0 = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        String base = "http://127.0.0.1:" + port;
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + readyMinutes * 60_000L;
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The scale node exited with " + process.exitValue() + "; see " + log.toAbsolutePath());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    break;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.currentTimeMillis() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("The scale node did not become ready in " + readyMinutes + " minutes; see " + log.toAbsolutePath());
            }
            Thread.sleep(100);
        }
        return new Node(process, base, (System.nanoTime() - t0) / 1e9, cpuSeconds(process));
    }

    /** utime + stime of the process, from /proc (clock ticks of 1/100 s). */
    private static double cpuSeconds(Process process) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }

    private static void stop(Node node) throws InterruptedException {
        node.process().destroy();
        if (!node.process().waitFor(60, TimeUnit.SECONDS)) {
            node.process().destroyForcibly().waitFor();
        }
    }

    /** Heap used after a full GC and resident set size of the node, in KiB. */
    private static long[] memory(Process process) throws Exception {
        String jcmd = new File(new File(ProcessHandle.current().info().command().orElse("java")).getParentFile(), "jcmd").getPath();
        run(jcmd, String.valueOf(process.pid()), "GC.run");
        String info = run(jcmd, String.valueOf(process.pid()), "GC.heap_info");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(info);
        long heapKb = used.find() ? Long.parseLong(used.group(1)) : -1;
        long rssKb = -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rssKb = Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        return new long[] {heapKb, rssKb};
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }
}
