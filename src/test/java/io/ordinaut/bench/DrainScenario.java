package io.ordinaut.bench;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.queue.DueWorkQueue;
import io.ordinaut.support.Nodes;

/**
 * Scenario 1, side by side: N due no-op runs drained by Ordinaut (1 node, 2 nodes) and N due one-time
 * executions drained by db-scheduler, each round running the three back to back on a fresh database of
 * the same server, in an order that alternates between rounds. Ratios are per round.
 */
final class DrainScenario {

    private static final UUID SYSTEM_AGENT = UUID.fromString("00000000-0000-0000-0000-000000000001");
    private final int runs = Bench.size("drain.runs", 100_000, 10_000);
    private final int threads = Integer.getInteger("bench.threads", 64);

    private record Drained(double runsPerSecond, double drainRunsPerSecond, double p50, double p99, double max) {
    }

    String run() throws Exception {
        Bench.Rounds one = new Bench.Rounds();
        Bench.Rounds two = new Bench.Rounds();
        Bench.Rounds peer = new Bench.Rounds();
        Bench.Rounds ratioOne = new Bench.Rounds();
        Bench.Rounds ratioTwo = new Bench.Rounds();
        Map<String, List<Bench.Rounds>> lags = Map.of("one", lagRounds(), "two", lagRounds(), "peer", lagRounds());
        for (int round = 1; round <= Bench.ROUNDS; round++) {
            Drained o1;
            Drained o2;
            DbSchedulerDrain.Result d;
            if (round % 2 == 1) {
                o1 = ordinaut(1, round);
                o2 = ordinaut(2, round);
                d = dbScheduler(round);
            } else {
                d = dbScheduler(round);
                o2 = ordinaut(2, round);
                o1 = ordinaut(1, round);
            }
            one.add(o1.runsPerSecond());
            two.add(o2.runsPerSecond());
            peer.add(d.runsPerSecond());
            ratioOne.add(o1.runsPerSecond() / d.runsPerSecond());
            ratioTwo.add(o2.runsPerSecond() / d.runsPerSecond());
            addLags(lags.get("one"), o1.p50(), o1.p99(), o1.max());
            addLags(lags.get("two"), o2.p50(), o2.p99(), o2.max());
            addLags(lags.get("peer"), d.p50(), d.p99(), d.max());
            Bench.progress("drain round %d: Ordinaut 1 node %,.0f runs/s, 2 nodes %,.0f, db-scheduler %,.0f → ratios %.2f / %.2f",
                    round, o1.runsPerSecond(), o2.runsPerSecond(), d.runsPerSecond(), o1.runsPerSecond() / d.runsPerSecond(),
                    o2.runsPerSecond() / d.runsPerSecond());
        }
        StringBuilder s = new StringBuilder();
        s.append(String.format("### 1. Drain, side by side%n%n%,d due no-op runs (Ordinaut: one simulated `noop.run` step through the "
                + "pipeline, %d executor threads per node; db-scheduler %s: one-time tasks, lock-and-fetch, %d threads). Runs/s from the "
                + "occurrence (the enqueue) until the last run is done; ratio = Ordinaut ÷ db-scheduler of the same round. "
                + "Median (min–max) of %d rounds.%n%n", runs, threads, "16.7.1", DbSchedulerDrain.THREADS, Bench.ROUNDS));
        s.append("| system | runs/s | ratio to db-scheduler | start lag p50 / p99 / max (ms) |\n|---|---|---|---|\n");
        s.append(row("Ordinaut, 1 node", one, ratioOne.format("%.2f"), lags.get("one")));
        s.append(row("Ordinaut, 2 nodes", two, ratioTwo.format("%.2f"), lags.get("two")));
        s.append(row("db-scheduler, 1 instance", peer, "1", lags.get("peer")));
        return s.toString();
    }

    private static List<Bench.Rounds> lagRounds() {
        return List.of(new Bench.Rounds(), new Bench.Rounds(), new Bench.Rounds());
    }

    private static void addLags(List<Bench.Rounds> lags, double p50, double p99, double max) {
        lags.get(0).add(p50);
        lags.get(1).add(p99);
        lags.get(2).add(max);
    }

    private static String row(String name, Bench.Rounds rate, String ratio, List<Bench.Rounds> lag) {
        return String.format("| %s | %s | %s | %s / %s / %s |%n", name, rate.format("%,.0f"), ratio,
                lag.get(0).format("%,.0f"), lag.get(1).format("%,.0f"), lag.get(2).format("%,.0f"));
    }

    private DbSchedulerDrain.Result dbScheduler(int round) throws Exception {
        Bench.progress("drain round %d: db-scheduler, fresh database, warm-up then %,d executions", round, runs);
        DbSchedulerDrain peer = new DbSchedulerDrain(Bench.freshDatabase());
        try {
            peer.drain(Math.max(1_000, runs / 10));
            return peer.drain(runs);
        } finally {
            peer.close();
        }
    }

    private Drained ordinaut(int nodeCount, int round) throws Exception {
        Bench.progress("drain round %d: Ordinaut %d node(s), fresh database, warm-up then %,d runs", round, nodeCount, runs);
        try (Nodes nodes = new Nodes(Bench.freshDatabase())) {
            List<ConfigurableApplicationContext> started = new ArrayList<>();
            for (int i = 1; i <= nodeCount; i++) {
                started.add(nodes.start("drain-" + i, Bench.nodeProperties("drain-" + i, Map.of("ordinaut.executor.threads", threads))));
            }
            JdbcClient jdbc = Nodes.jdbc(started.get(0));
            DueWorkQueue queue = started.get(0).getBean(DueWorkQueue.class);
            drain(jdbc, queue, Math.max(1_000, runs / 10));
            jdbc.sql("TRUNCATE task_run").update();
            jdbc.sql("VACUUM ANALYZE due_work").update();
            Instant occurrence = drain(jdbc, queue, runs);
            Instant lastEnd = ((Timestamp) jdbc.sql("SELECT max(finished_at) FROM task_run").query().singleValue()).toInstant();
            Instant firstStart = ((Timestamp) jdbc.sql("SELECT min(started_at) FROM task_run").query().singleValue()).toInstant();
            Map<String, Object> lag = Bench.lag(jdbc, "trigger = 'schedule'", Map.of());
            return new Drained(runs / seconds(occurrence, lastEnd), runs / seconds(firstStart, lastEnd),
                    Bench.number(lag.get("p50")), Bench.number(lag.get("p99")), Bench.number(lag.get("max")));
        }
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }

    /**
     * N tasks on one schedule and one occurrence: the one INSERT … SELECT a fire does queues N runs; waits
     * until all are recorded. Returns the occurrence.
     */
    static Instant drain(JdbcClient jdbc, DueWorkQueue queue, int count) throws InterruptedException {
        UUID schedule = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO schedule (id, sharing_key, kind, expr, timezone, anchor, misfire_grace_seconds)
                VALUES (:id, :id, 'interval', 'PT1H', 'UTC', now(), 60)""").param("id", schedule).update();
        jdbc.sql("""
                INSERT INTO task (id, title, created_by, schedule_kind, schedule_expr, timezone, payload, status, priority,
                                  max_retries, backoff_strategy, misfire_grace_seconds, schedule_id, active_since, created_at, updated_at)
                SELECT gen_random_uuid(), 'drain ' || g, :agent, 'interval', 'PT1H', 'UTC',
                       '{"pipeline": [{"id": "noop", "uses": "noop.run", "with": {"n": "${params.n}"}}], "params": {"n": 1}}',
                       'active', 1 + g % 9, 3, 'exponential_jitter', 60, :schedule, now() - interval '1 hour', now(), now()
                  FROM generate_series(1, :count) g""")
                .param("agent", SYSTEM_AGENT).param("schedule", schedule).param("count", count).update();
        jdbc.sql("ANALYZE task").update();
        Instant occurrence = Instant.now().truncatedTo(ChronoUnit.MICROS);
        int queued = queue.enqueueScheduleOccurrence(schedule, occurrence);
        if (queued != count) {
            throw new IllegalStateException("queued " + queued + " of " + count);
        }
        long deadline = System.currentTimeMillis() + 900_000;
        // Polling must not load the database it measures: wait cheaply for the queue to empty, then count.
        while (Boolean.TRUE.equals(jdbc.sql("SELECT EXISTS (SELECT 1 FROM due_work)").query(Boolean.class).single())) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("backlog of " + count + " not drained within 15 minutes");
            }
            Thread.sleep(50);
        }
        while (jdbc.sql("SELECT count(*) FROM task_run r JOIN task t ON t.id = r.task_id WHERE t.schedule_id = :s")
                .param("s", schedule).query(Long.class).single() < count) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("backlog of " + count + " not recorded within 15 minutes");
            }
            Thread.sleep(50);
        }
        jdbc.sql("UPDATE task SET status = 'completed', schedule_id = NULL WHERE schedule_id = :s").param("s", schedule).update();
        jdbc.sql("DELETE FROM schedule WHERE id = :s").param("s", schedule).update();
        return occurrence;
    }
}
