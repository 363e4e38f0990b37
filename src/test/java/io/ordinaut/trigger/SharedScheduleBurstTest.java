package io.ordinaut.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.listeners.TriggerListenerSupport;
import org.springframework.beans.factory.annotation.Autowired;

import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;

/**
 * 5,000 tasks on one schedule plus a few hundred on schedules of their own: every task runs once per
 * occurrence, and Quartz fires once per distinct schedule per instant, not once per task (per-schedule
 * mode) — or only its window triggers fire, and each occurrence is enqueued once (windows mode).
 */
@Tag("cluster")
class SharedScheduleBurstTest extends NodeTestSupport {

    private static final int SHARED = 5_000;
    private static final int OWN = 200;

    @Autowired
    Scheduler scheduler;

    @Autowired
    TriggerProperties triggers;

    @Test
    void thousands_of_tasks_on_one_schedule_cost_one_quartz_fire_per_instant() throws Exception {
        Map<String, AtomicInteger> firesPerTriggerInstant = new ConcurrentHashMap<>();
        scheduler.getListenerManager().addTriggerListener(new TriggerListenerSupport() {
            @Override
            public String getName() {
                return "fire-counter";
            }

            @Override
            public void triggerFired(Trigger trigger, JobExecutionContext context) {
                firesPerTriggerInstant.computeIfAbsent(trigger.getKey().getName() + "@" + context.getScheduledFireTime().toInstant(),
                        k -> new AtomicInteger()).incrementAndGet();
            }
        });

        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Future<?>> creations = new ArrayList<>();
        for (int i = 0; i < SHARED + OWN; i++) {
            boolean shared = i < SHARED;
            int n = i;
            Map<String, Object> task = new java.util.HashMap<>(Map.of(
                    "title", (shared ? "shared " : "own ") + n,
                    "schedule_kind", shared ? "rrule" : "interval",
                    "schedule_expr", shared ? "FREQ=SECONDLY;INTERVAL=10" : "PT7S",
                    "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run")))));
            if (!shared) {
                // A start bound of its own gives each of these tasks a distinct schedule.
                task.put("start_at", Instant.now().plusSeconds(1 + n).toString());
            }
            creations.add(clients.submit(() -> api.post("/tasks", task).expect(201)));
        }
        for (Future<?> f : creations) {
            f.get();
        }
        clients.shutdown();
        Instant allCreated = Instant.now();

        assertThat(jdbc.sql("SELECT count(*) FROM schedule").query(Long.class).single()).isEqualTo(1 + OWN);
        // per-schedule: one trigger per distinct schedule; windows: the window triggers only
        assertThat(jdbc.sql("SELECT count(*) FROM qrtz_triggers").query(Long.class).single())
                .isEqualTo(triggers.windows() ? triggers.groups() : 1 + OWN);

        // Two full occurrences of the shared schedule after every task exists.
        Instant first = Instant.ofEpochSecond((allCreated.getEpochSecond() / 10 + 1) * 10);
        Instant second = first.plusSeconds(10);
        awaitRuns(second, SHARED, Duration.ofSeconds(60));

        for (Instant occurrence : List.of(first, second)) {
            long runs = jdbc.sql("""
                    SELECT count(DISTINCT r.task_id) FROM task_run r JOIN task t ON t.id = r.task_id
                     WHERE t.schedule_kind = 'rrule' AND r.scheduled_for = :at""")
                    .param("at", Timestamp.from(occurrence)).query(Long.class).single();
            assertThat(runs).as("shared-schedule runs for %s", occurrence).isEqualTo(SHARED);
        }
        List<Map<String, Object>> duplicates = jdbc.sql(
                "SELECT task_id, scheduled_for FROM task_run GROUP BY task_id, scheduled_for HAVING count(*) > 1")
                .query().listOfRows();
        assertThat(duplicates).isEmpty();

        String sharedSchedule = jdbc.sql("SELECT CAST(id AS text) FROM schedule WHERE kind = 'rrule'").query(String.class).single();
        assertThat(firesPerTriggerInstant.values()).allMatch(count -> count.get() == 1);
        if (triggers.windows()) {
            // A window fire enqueues each occurrence once (one ledger row each), and only window triggers fire.
            assertThat(firesPerTriggerInstant.keySet()).allMatch(k -> k.startsWith("window-"));
            for (Instant occurrence : List.of(first, second)) {
                assertThat(jdbc.sql("SELECT count(*) FROM schedule_occurrence WHERE schedule_id = CAST(:id AS uuid) AND occurrence = :at")
                        .param("id", sharedSchedule).param("at", Timestamp.from(occurrence)).query(Long.class).single()).isOne();
            }
            return;
        }
        assertThat(firesPerTriggerInstant.get(sharedSchedule + "@" + first)).hasValue(1);
        assertThat(firesPerTriggerInstant.get(sharedSchedule + "@" + second)).hasValue(1);
        long sharedFires = firesPerTriggerInstant.keySet().stream().filter(k -> k.startsWith(sharedSchedule + "@")).count();
        long sharedInstants = jdbc.sql("SELECT count(DISTINCT scheduled_for) FROM task_run r JOIN task t ON t.id = r.task_id WHERE t.schedule_kind = 'rrule'")
                .query(Long.class).single();
        assertThat(sharedFires).isEqualTo(sharedInstants);
    }

    private void awaitRuns(Instant occurrence, int expected, Duration atMost) {
        Eventually.until(expected + " runs for " + occurrence, atMost, () -> jdbc.sql(
                        "SELECT count(*) FROM task_run r JOIN task t ON t.id = r.task_id WHERE t.schedule_kind = 'rrule' AND r.scheduled_for = :at")
                .param("at", Timestamp.from(occurrence))
                .query(Long.class).single() >= expected);
    }
}
