package io.ordinaut.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.springframework.context.ConfigurableApplicationContext;

import io.ordinaut.support.Api;
import io.ordinaut.support.Nodes;

/**
 * Scenario 2: enqueue through the REST API with a closed-loop Java load generator — POST /tasks (all on
 * one shared schedule), POST /tasks/{id}/run_now and POST /tasks/batch — on 1 and 2 nodes.
 */
final class ApiScenario {

    static final String NOOP = "{\"pipeline\": [{\"id\": \"noop\", \"uses\": \"noop.run\"}]}";
    private final int clients = Integer.getInteger("bench.api.clients", 16);
    private final Duration duration = Duration.ofSeconds(Bench.size("api.seconds", 10, 3));
    private final int batches = Bench.size("api.batches", 20, 4);
    private final int batchClients = Integer.getInteger("bench.api.batch-clients", 4);

    static String task(String title, String kind, String expr, String extra) {
        return "{\"title\": \"" + title + "\", \"schedule_kind\": \"" + kind + "\", \"schedule_expr\": \"" + expr + "\", \"payload\": "
                + NOOP + (extra == null ? "" : ", " + extra) + "}";
    }

    static String batch(int size, java.util.function.IntFunction<String> task) {
        return IntStream.range(0, size).mapToObj(task).collect(Collectors.joining(", ", "{\"tasks\": [", "]}"));
    }

    String run() throws Exception {
        StringBuilder s = new StringBuilder();
        s.append(String.format("### 2. Enqueue through the API%n%n%d concurrent clients (closed loop, keep-alive, spread over the "
                + "nodes) for %d s per round; POST /tasks all on one shared cron schedule; run_now on 1,000 existing tasks; "
                + "POST /tasks/batch: %d batches of 1,000 tasks from %d clients. Median (min–max) of %d rounds.%n%n",
                clients, duration.toSeconds(), batches, batchClients, Bench.ROUNDS));
        s.append("| nodes | POST /tasks tasks/s | p50 / p99 (ms) | run_now runs/s | p50 / p99 (ms) | POST /tasks/batch tasks/s | batch p50 / p99 (ms) |\n");
        s.append("|---|---|---|---|---|---|---|\n");
        for (int nodeCount : new int[] {1, 2}) {
            s.append(measure(nodeCount));
        }
        return s.toString();
    }

    private String measure(int nodeCount) throws Exception {
        Bench.Rounds create = new Bench.Rounds();
        Bench.Rounds createP50 = new Bench.Rounds();
        Bench.Rounds createP99 = new Bench.Rounds();
        Bench.Rounds runNow = new Bench.Rounds();
        Bench.Rounds runNowP50 = new Bench.Rounds();
        Bench.Rounds runNowP99 = new Bench.Rounds();
        Bench.Rounds batch = new Bench.Rounds();
        Bench.Rounds batchP50 = new Bench.Rounds();
        Bench.Rounds batchP99 = new Bench.Rounds();
        try (Nodes nodes = new Nodes(Bench.freshDatabase())) {
            List<String> bases = new ArrayList<>();
            List<ConfigurableApplicationContext> started = new ArrayList<>();
            for (int i = 1; i <= nodeCount; i++) {
                ConfigurableApplicationContext node = nodes.start("api-" + i, Bench.nodeProperties("api-" + i, Map.of()));
                started.add(node);
                bases.add("http://127.0.0.1:" + Nodes.port(node));
            }
            Api api = Nodes.api(started.get(0));
            // Targets for run_now: 1,000 tasks that may run concurrently with themselves.
            Map<String, Object> created = api.post("/tasks/batch", batch(1000,
                    i -> task("run_now " + i, "event", "bench.never", "\"overlap_policy\": \"allow\", \"concurrency_limit\": 100"))).expect(200).map();
            @SuppressWarnings("unchecked")
            List<String> targets = ((List<Map<String, Object>>) created.get("results")).stream()
                    .map(r -> (String) ((Map<?, ?>) r.get("task")).get("id")).toList();
            // Warm-up: the JIT compiles the create path before it is timed.
            LoadGenerator.run(bases, clients, Duration.ofSeconds(2), 0, 201, (c, n) -> new LoadGenerator.Request("/tasks",
                    task("warm " + c + "-" + n, "cron", "0 9 * * 1-5", null)));
            for (int round = 1; round <= Bench.ROUNDS; round++) {
                int r = round;
                LoadGenerator.Result c = LoadGenerator.run(bases, clients, duration, 0, 201, (client, n) -> new LoadGenerator.Request("/tasks",
                        task("api " + r + "-" + client + "-" + n, "cron", "0 9 * * 1-5", null)));
                check("POST /tasks", c);
                create.add(c.perSecond());
                createP50.add(c.p50Millis());
                createP99.add(c.p99Millis());
                LoadGenerator.Result n = LoadGenerator.run(bases, clients, duration, 0, 200, (client, k) -> new LoadGenerator.Request(
                        "/tasks/" + targets.get((client * 7919 + k) % targets.size()) + "/run_now", null));
                check("run_now", n);
                runNow.add(n.perSecond());
                runNowP50.add(n.p50Millis());
                runNowP99.add(n.p99Millis());
                LoadGenerator.Result b = LoadGenerator.run(bases, batchClients, null, batches, 200, (client, k) -> new LoadGenerator.Request(
                        "/tasks/batch", batch(1000, i -> task("batch " + r + "-" + client + "-" + k + "-" + i, "cron", "0 9 * * 1-5", null))));
                check("POST /tasks/batch", b);
                batch.add(b.perSecond() * 1000);
                batchP50.add(b.p50Millis());
                batchP99.add(b.p99Millis());
                Bench.progress("api %d node(s) round %d: POST /tasks %,.0f/s (p99 %,.0f ms), run_now %,.0f/s (p99 %,.0f ms), batch %,.0f tasks/s",
                        nodeCount, round, c.perSecond(), c.p99Millis(), n.perSecond(), n.p99Millis(), b.perSecond() * 1000);
            }
        }
        return String.format("| %d | %s | %s / %s | %s | %s / %s | %s | %s / %s |%n", nodeCount,
                create.format("%,.0f"), createP50.format("%,.0f"), createP99.format("%,.0f"),
                runNow.format("%,.0f"), runNowP50.format("%,.0f"), runNowP99.format("%,.0f"),
                batch.format("%,.0f"), batchP50.format("%,.0f"), batchP99.format("%,.0f"));
    }

    private static void check(String what, LoadGenerator.Result r) {
        if (r.failures() > 0) {
            Bench.progress("  %s: %d of %d requests failed, first: %s", what, r.failures(), r.requests(), r.firstFailure());
        }
    }
}
