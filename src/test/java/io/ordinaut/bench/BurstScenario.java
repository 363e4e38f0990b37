package io.ordinaut.bench;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.listeners.TriggerListenerSupport;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.support.Nodes;
import io.ordinaut.trigger.TriggerProperties;

/**
 * Scenario 4, the 09:00 burst: N tasks share one cron schedule ({@code * * * * *}: every minute is a
 * 09:00), on 2 nodes. Each round is one instant: how long after it all N runs had started and had been
 * recorded, and how many Quartz fires the instant took across the cluster (must be 1). Quick mode uses
 * an RRULE every 20 s instead of every minute, so three rounds fit in a minute.
 */
final class BurstScenario {

    private final int tasks = Bench.size("burst.tasks", 100_000, 10_000);

    String run() throws Exception {
        String expr = Bench.QUICK ? "FREQ=SECONDLY;INTERVAL=20" : "* * * * *";
        String kind = Bench.QUICK ? "rrule" : "cron";
        long period = Bench.QUICK ? 20 : 60;
        Bench.Rounds started = new Bench.Rounds();
        Bench.Rounds recorded = new Bench.Rounds();
        Bench.Rounds rate = new Bench.Rounds();
        List<String> fires = new ArrayList<>();
        String mode;
        try (Nodes nodes = new Nodes(Bench.freshDatabase())) {
            List<ConfigurableApplicationContext> cluster = new ArrayList<>();
            Map<String, AtomicInteger> fired = new ConcurrentHashMap<>();
            for (int i = 1; i <= 2; i++) {
                ConfigurableApplicationContext node = nodes.start("burst-" + i, Bench.nodeProperties("burst-" + i, Map.of()));
                cluster.add(node);
                node.getBean(Scheduler.class).getListenerManager().addTriggerListener(new TriggerListenerSupport() {
                    @Override
                    public String getName() {
                        return "bench-fire-counter";
                    }

                    @Override
                    public void triggerFired(Trigger trigger, JobExecutionContext context) {
                        fired.computeIfAbsent(trigger.getKey().getName() + "@" + context.getScheduledFireTime().toInstant(),
                                k -> new AtomicInteger()).incrementAndGet();
                    }
                });
            }
            mode = cluster.get(0).getBean(TriggerProperties.class).mode();
            JdbcClient jdbc = Nodes.jdbc(cluster.get(0));
            List<String> bases = cluster.stream().map(n -> "http://127.0.0.1:" + Nodes.port(n)).toList();
            long t0 = System.nanoTime();
            LoadGenerator.Result created = LoadGenerator.run(bases, 4, null, (tasks + 999) / 1000, 200, (client, k) -> new LoadGenerator.Request(
                    "/tasks/batch", ApiScenario.batch(1000, i -> ApiScenario.task("burst " + client + "-" + k + "-" + i, kind, expr, null))));
            long count = jdbc.sql("SELECT count(*) FROM task WHERE title LIKE 'burst %'").query(Long.class).single();
            Bench.progress("burst: %,d tasks created through POST /tasks/batch in %.1f s (%d failed batches)", count,
                    (System.nanoTime() - t0) / 1e9, created.failures());
            UUID schedule = jdbc.sql("SELECT DISTINCT schedule_id FROM task WHERE title LIKE 'burst %'").query(UUID.class).single();
            long epoch = Instant.now().plusSeconds(5).getEpochSecond();
            Instant instant = Instant.ofEpochSecond((epoch / period + 1) * period);
            for (int round = 1; round <= Bench.ROUNDS; round++, instant = instant.plusSeconds(period)) {
                Bench.progress("burst round %d: waiting for %s", round, instant);
                Bench.sleepUntil(instant);
                long deadline = System.currentTimeMillis() + (period - 2) * 1000;
                long done = 0;
                while (System.currentTimeMillis() < deadline) {
                    done = jdbc.sql("SELECT count(*) FROM task_run WHERE scheduled_for = :at").param("at", Timestamp.from(instant))
                            .query(Long.class).single();
                    if (done >= count) {
                        break;
                    }
                    Thread.sleep(200);
                }
                Map<String, Object> row = jdbc.sql("""
                        SELECT max(started_at) AS started, max(finished_at) AS finished FROM task_run WHERE scheduled_for = :at""")
                        .param("at", Timestamp.from(instant)).query().singleRow();
                double startedAll = millis(instant, row.get("started"));
                double recordedAll = millis(instant, row.get("finished"));
                if (done < count) {
                    Bench.progress("burst round %d: only %,d of %,d recorded before the next instant", round, done, count);
                    recordedAll = Double.NaN;
                }
                started.add(startedAll / 1000);
                recorded.add(recordedAll / 1000);
                rate.add(done / (recordedAll / 1000));
                AtomicInteger own = fired.get(schedule + "@" + instant);
                long ledger = jdbc.sql("SELECT count(*) FROM schedule_occurrence WHERE schedule_id = :s AND occurrence = :at")
                        .param("s", schedule).param("at", Timestamp.from(instant)).query(Long.class).single();
                fires.add((own == null ? 0 : own.get()) + "/" + ledger);
                Bench.progress("burst round %d: all %,d started %.2f s and recorded %.2f s after the instant; schedule trigger fires %s, "
                        + "occurrence ledger rows %d", round, done, startedAll / 1000, recordedAll / 1000, own == null ? "0" : own, ledger);
            }
        }
        return String.format("### 4. The 09:00 burst%n%n%,d tasks on one shared schedule (`%s`, %s), 2 nodes, created through "
                + "POST /tasks/batch; each round is one instant. Firing mode: %s. Median (min–max) of %d rounds.%n%n"
                + "| all started after the instant (s) | all recorded after the instant (s) | runs/s (instant → all recorded) "
                + "| Quartz fires of the schedule's trigger / occurrence ledger rows, per round |%n|---|---|---|---|%n| %s | %s | %s | %s |%n",
                tasks, expr, kind, mode, Bench.ROUNDS, started.format("%.2f"), recorded.format("%.2f"), rate.format("%,.0f"),
                String.join(", ", fires));
    }

    private static double millis(Instant from, Object to) {
        return to == null ? Double.NaN : Duration.between(from, ((Timestamp) to).toInstant()).toNanos() / 1e6;
    }
}
