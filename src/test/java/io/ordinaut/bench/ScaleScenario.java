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
 */
final class ScaleScenario {

    private final int tasks = Bench.size("scale.tasks", 1_000_000, 50_000);
    private final int clients = Integer.getInteger("bench.scale.clients", 8);
    private final String heap = System.getProperty("bench.scale.xmx", "-Xmx1g");
    private final Path log = Path.of("target", "bench-scale-node.log");

    private record Node(Process process, String base, double startupSeconds) {
    }

    String run() throws Exception {
        String url = Bench.freshDatabase();
        Bench.Rounds creation = new Bench.Rounds();
        Bench.Rounds startup = new Bench.Rounds();
        Bench.Rounds heapMb = new Bench.Rounds();
        Bench.Rounds rssMb = new Bench.Rounds();
        Bench.Rounds pageP50 = new Bench.Rounds();
        Bench.Rounds pageP99 = new Bench.Rounds();
        Node node = start(url);
        try {
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
                String query = switch (round % 3) {
                    case 1 -> "/tasks?status=active&schedule_kind=cron&limit=50";
                    case 2 -> "/tasks?schedule_kind=interval&limit=50&offset=5000";
                    default -> "/tasks?created_by=00000000-0000-0000-0000-000000000001&status=active&limit=200";
                };
                LoadGenerator.Result pages = LoadGenerator.run(List.of(node.base()), 4, Duration.ofSeconds(Bench.QUICK ? 3 : 5), 0, 200,
                        (c, k) -> LoadGenerator.Request.get(query));
                pageP50.add(pages.p50Millis());
                pageP99.add(pages.p99Millis());
                registered = String.valueOf(new Api(Integer.parseInt(node.base().substring(node.base().lastIndexOf(':') + 1)))
                        .get("/tasks?limit=1").expect(200).get("total"));
                Bench.progress("scale round %d: start-up %.1f s, heap after GC %,.0f MB, RSS %,.0f MB, %s p50 %.0f ms p99 %.0f ms",
                        round, node.startupSeconds(), memory[0] / 1024.0, memory[1] / 1024.0, query, pages.p50Millis(), pages.p99Millis());
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
        return String.format("### 5. Scale%n%n%s tasks registered (cron, RRULE and interval in turn on 1,000 distinct schedules, none due "
                + "during the run), created through POST /tasks/batch (1,000 per batch on 10 schedules, %d clients) on one node in its own JVM (%s). "
                + "Creation rate: median (min–max) of the three thirds of the creation; the others: median (min–max) of %d restarts "
                + "of that node with the tasks present. Page latency: 4 clients, a different filter each restart.%n%n"
                + "| creation tasks/s | start-up (s) | heap after GC (MB) | RSS (MB) | GET /tasks page p50 (ms) | p99 (ms) |%n"
                + "|---|---|---|---|---|---|%n| %s | %s | %s | %s | %s | %s |%n%n%s%s",
                registered, clients, heap, Bench.ROUNDS, creation.format("%,.0f"), startup.format("%.1f"), heapMb.format("%,.0f"),
                rssMb.format("%,.0f"), pageP50.format("%,.0f"), pageP99.format("%,.0f"),
                precision.header("Scenario 3 with them present:"), lag);
    }

    /**
     * Task i of batch b: each batch puts 100 tasks on each of 10 of the 1,000 schedules — cron, RRULE or
     * interval in turn, months away, so nothing fires during the run.
     */
    private static String task(int b, int i) {
        int s = (b * 10 + i / 100) % 1000;
        String title = "scale " + b + "-" + i;
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
        long deadline = System.currentTimeMillis() + 300_000;
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
                throw new IllegalStateException("The scale node did not become ready in 5 minutes; see " + log.toAbsolutePath());
            }
            Thread.sleep(100);
        }
        return new Node(process, base, (System.nanoTime() - t0) / 1e9);
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
