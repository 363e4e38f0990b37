package io.ordinaut.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
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
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.ordinaut.queue.DueWorkQueue;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;

/**
 * ordinaut.trigger.mode=windows on one node without executors (runs stay queued, so what the window
 * fires enqueued can be read back exactly): Quartz fires per window and group, not per schedule; each
 * (task, occurrence) is enqueued once with its exact run_at; tasks joining, leaving and changing schedule
 * while their window is enqueued ahead; an outage's occurrences are coalesced or recorded missed.
 */
@TestPropertySource(properties = {
        "ordinaut.trigger.mode=windows",
        "ordinaut.trigger.groups=2",
        "ordinaut.trigger.window=1s",
        "ordinaut.trigger.horizon=3s",
        "ordinaut.node.roles=api,scheduler"})
class WindowFiringTest extends NodeTestSupport {

    private static final int GROUPS = 2;
    private static final Duration WINDOW = Duration.ofSeconds(1);

    @Autowired
    FireCounter fires;

    @Autowired
    PlatformTransactionManager transactionManager;

    @Autowired
    DueWorkQueue queue;

    static Map<String, Object> interval(String title, String every, Instant startAt) {
        Map<String, Object> task = new HashMap<>(Map.of("title", title, "schedule_kind", "interval", "schedule_expr", every,
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run")))));
        task.put("start_at", startAt.toString());
        return task;
    }

    @Test
    void quartz_fires_per_second_do_not_grow_with_the_number_of_distinct_schedules() throws Exception {
        for (int n : new int[] {100, 2_000}) {
            // given n more distinct schedules (each its own start_at), each due within the next 10 s
            Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
            List<String> created = createAll(n, i -> interval("distinct " + n + "-" + i, "PT10S", base.plusMillis(i * 10_000L / n + n)));
            assertThat(jdbc.sql("SELECT count(DISTINCT schedule_id) FROM task WHERE id IN (SELECT CAST(value AS uuid) FROM "
                    + "jsonb_array_elements_text(CAST(:ids AS jsonb)))").param("ids", json(created)).query(Long.class).single())
                    .isEqualTo(n);

            // when Quartz runs for 10 s from just after the first start_at (or from now, if creating took longer):
            // the start_at values span (base + n ms, base + n ms + 10 s], so every schedule has exactly one
            // occurrence in those 10 s
            Instant first = base.plusMillis(n + 50);
            Instant from = Instant.now().isAfter(first) ? Instant.now() : first;
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), from).toMillis()));
            long before = fires.fires();
            Thread.sleep(10_000);
            long fired = fires.fires() - before;
            double seconds = Duration.between(from, Instant.now()).toMillis() / 1000.0;

            // then it fired at most once per group and window (plus one each for the edges), and every
            // schedule's occurrence in that time was enqueued exactly once for its task
            System.out.printf("windows mode: %d distinct schedules, %d Quartz fires in %.1f s%n", n, fired, seconds);
            long bound = (long) Math.ceil(seconds / WINDOW.toSeconds() + 2) * GROUPS;
            assertThat(fired).as("Quartz fires in %.1f s with %d distinct schedules", seconds, n).isLessThanOrEqualTo(bound);
            // (the last window's enqueue may finish a moment after the 10 s on a loaded machine)
            long withRun = Eventually.until("every task's occurrence of the 10 s enqueued", Duration.ofSeconds(20), () -> jdbc.sql(
                            "SELECT count(DISTINCT task_id) FROM due_work WHERE task_id IN (SELECT CAST(value AS uuid) FROM "
                            + "jsonb_array_elements_text(CAST(:ids AS jsonb))) AND scheduled_for >= :from AND scheduled_for < :to")
                    .param("ids", json(created)).param("from", Timestamp.from(from)).param("to", Timestamp.from(from.plusSeconds(10)))
                    .query(Long.class).single(), count -> count >= n);
            assertThat(withRun).as("tasks with their occurrence of the 10 s enqueued").isEqualTo(n);
            assertThat(jdbc.sql("SELECT coalesce(sum(missed_count), 0) FROM missed_occurrence WHERE task_id IN (SELECT CAST(value AS uuid) "
                    + "FROM jsonb_array_elements_text(CAST(:ids AS jsonb)))").param("ids", json(created)).query(Long.class).single())
                    .as("occurrences recorded missed").isZero();
            assertThat(duplicates()).isZero();
        }
    }

    @Test
    void a_new_schedule_due_before_the_next_window_fire_is_enqueued_by_its_creation_with_the_exact_run_at() {
        // (schedules are to the second) at least 1.5 s ahead: before the next fire of a 1 s window, close to it
        Instant at = Instant.now().plusMillis(2_500).truncatedTo(ChronoUnit.SECONDS);
        Map<String, Object> task = new HashMap<>(Map.of("title", "soon", "schedule_kind", "once", "schedule_expr", at.toString(),
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run")))));

        String id = api.post("/tasks", task).expect(201).string("id");

        assertThat(runAts(id)).containsExactly(at);
        assertThat(Instant.parse(api.get("/tasks/" + id).string("next_run_at"))).isEqualTo(at);
    }

    @Test
    void a_task_joining_a_schedule_whose_window_was_enqueued_ahead_gets_each_occurrence_once() throws Exception {
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        String first = api.post("/tasks", interval("first", "PT1S", start)).expect(201).string("id");
        await(() -> runAts(first).size() >= 2, "the first task's window enqueued ahead");

        String late = api.post("/tasks", interval("late", "PT1S", start)).expect(201).string("id");
        Instant joined = Instant.now();
        Thread.sleep(4_000);

        assertThat(schedule(late)).isEqualTo(schedule(first));
        List<Instant> lateRuns = runAts(late);
        assertThat(lateRuns).isNotEmpty().doesNotHaveDuplicates().allSatisfy(at -> assertThat(at).isAfter(joined.minusSeconds(1)));
        // every occurrence since the join up to the horizon, one per second, none skipped
        assertThat(Duration.between(lateRuns.get(0), lateRuns.get(lateRuns.size() - 1)).toSeconds()).isEqualTo(lateRuns.size() - 1);
        assertThat(duplicates()).isZero();
    }

    @Test
    void canceling_drops_its_queued_runs_and_records_each_canceled_due_or_not() throws Exception {
        String id = taskWithDueAndNotYetDueRuns("canceled");
        long queued = queuedDue(id, true) + queuedDue(id, false);

        Map<String, Object> details = api.post("/tasks/" + id + "/cancel", "{}").expect(200).details();

        assertThat(((Number) details.get("queued_runs_removed")).longValue()).as("runs removed").isGreaterThanOrEqualTo(queued);
        assertDroppedAndRecordedCanceled(id, Instant.now(), queued);
    }

    @Test
    void pausing_drops_its_queued_runs_and_records_each_canceled_due_or_not() throws Exception {
        String id = taskWithDueAndNotYetDueRuns("paused");
        long queued = queuedDue(id, true) + queuedDue(id, false);

        api.post("/tasks/" + id + "/pause", "{}").expect(200);

        assertDroppedAndRecordedCanceled(id, Instant.now(), queued);
    }

    @Test
    void rescheduling_drops_the_old_schedules_queued_runs_and_records_each_canceled_due_or_not() throws Exception {
        String id = taskWithDueAndNotYetDueRuns("rescheduled");
        UUID oldSchedule = schedule(id);

        api.put("/tasks/" + id, interval("rescheduled", "PT1H", Instant.now().plusSeconds(3600))).expect(200);
        Instant changed = Instant.now();

        assertThat(schedule(id)).isNotEqualTo(oldSchedule);
        assertThat(jdbc.sql("SELECT count(*) FROM task_run WHERE task_id = CAST(:id AS uuid) AND status = 'canceled'")
                .param("id", id).query(Long.class).single()).as("due runs recorded canceled").isPositive();
        assertThat(jdbc.sql("SELECT count(*) FROM task_run WHERE task_id = CAST(:id AS uuid) AND scheduled_for > :at")
                .param("id", id).param("at", Timestamp.from(changed)).query(Long.class).single())
                .as("the old schedule's runs not yet due, recorded canceled too").isPositive();
        assertThat(runAts(id)).as("only the new schedule's runs are queued").allSatisfy(at -> assertThat(at).isAfter(changed.plusSeconds(3000)));
    }

    // No executor here: due runs wait in the queue next to the ones enqueued ahead.
    private String taskWithDueAndNotYetDueRuns(String title) throws InterruptedException {
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        String id = api.post("/tasks", interval(title, "PT1S", start)).expect(201).string("id");
        await(() -> queuedDue(id, true) >= 1 && queuedDue(id, false) >= 1, "due and not-yet-due runs queued");
        return id;
    }

    /**
     * Every run that was queued — GET /runs listed each with its id — ends in a canceled record with the reason,
     * those enqueued ahead and not yet due included.
     */
    private void assertDroppedAndRecordedCanceled(String id, Instant changed, long queuedBefore) {
        long canceled = jdbc.sql("SELECT count(*) FROM task_run WHERE task_id = CAST(:id AS uuid) AND status = 'canceled' AND error IS NOT NULL")
                .param("id", id).query(Long.class).single();
        long recordedNotDue = jdbc.sql("SELECT count(*) FROM task_run WHERE task_id = CAST(:id AS uuid) AND status = 'canceled' AND scheduled_for > :at")
                .param("id", id).param("at", Timestamp.from(changed)).query(Long.class).single();
        assertThat(canceled).as("queued runs recorded canceled").isGreaterThanOrEqualTo(queuedBefore);
        assertThat(recordedNotDue).as("runs not yet due, recorded canceled too").isPositive();
        assertThat(runAts(id)).as("runs left in the queue").isEmpty();
    }

    @Test
    void rescheduling_replaces_the_runs_enqueued_ahead_with_the_new_schedules() throws Exception {
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(30);
        String id = api.post("/tasks", interval("moving", "PT2S", start)).expect(201).string("id");
        Instant newStart = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2).plusMillis(500);
        UUID oldSchedule = schedule(id);

        api.put("/tasks/" + id, interval("moving", "PT1S", newStart)).expect(200);
        await(() -> runAts(id).size() >= 2, "the new schedule's runs");

        assertThat(schedule(id)).isNotEqualTo(oldSchedule);
        assertThat(runAts(id)).allSatisfy(at -> assertThat(at.toEpochMilli() % 1000).isEqualTo(500));
        assertThat(jdbc.sql("SELECT count(*) FROM schedule WHERE id = CAST(:id AS uuid)").param("id", oldSchedule)
                .query(Long.class).single()).isZero();
    }

    @Test
    void after_an_outage_one_catch_up_run_within_the_grace_and_older_occurrences_recorded_missed() throws Exception {
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(600);
        Map<String, Object> task = interval("outage", "PT10S", start);
        task.put("misfire_grace_seconds", 120);
        String id = api.post("/tasks", task).expect(201).string("id");
        // as if no node had fired the schedule for five minutes: its next_fire_at stayed there
        jdbc.sql("DELETE FROM due_work WHERE task_id = CAST(:id AS uuid)").param("id", id).update();
        jdbc.sql("UPDATE task SET active_since = now() - interval '10 minutes' WHERE id = CAST(:id AS uuid)").param("id", id).update();
        jdbc.sql("UPDATE schedule SET next_fire_at = next_fire_at - interval '300 seconds' WHERE id = "
                + "(SELECT schedule_id FROM task WHERE id = CAST(:id AS uuid))").param("id", id).update();

        await(() -> !missed(id).isEmpty(), "the missed occurrences recorded");

        List<Map<String, Object>> missed = missed(id);
        Instant caughtUpFor = missed.stream().filter(m -> m.get("caught_up_for") != null)
                .map(m -> ((Timestamp) m.get("caught_up_for")).toInstant()).findFirst().orElseThrow();
        List<Instant> runs = runAts(id);
        assertThat(runs).as("the catch-up run is the first").first().isEqualTo(caughtUpFor);
        assertThat(caughtUpFor).isAfter(Instant.now().minusSeconds(130));
        long expired = missed.stream().filter(m -> m.get("caught_up_for") == null).mapToLong(m -> ((Number) m.get("missed_count")).longValue()).sum();
        long coalesced = missed.stream().filter(m -> m.get("caught_up_for") != null).mapToLong(m -> ((Number) m.get("missed_count")).longValue()).sum();
        assertThat(expired).isBetween(16L, 20L);
        assertThat(coalesced).isBetween(10L, 12L);
    }

    @Test
    void after_an_outage_the_runs_enqueued_ahead_before_it_and_never_started_are_folded_into_the_one_catch_up_and_each_recorded() throws Exception {
        // (started well before the outage below, so every second of it is an occurrence)
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(600);
        Map<String, Object> task = interval("folded", "PT1S", start);
        task.put("misfire_grace_seconds", 900);
        String id = api.post("/tasks", task).expect(201).string("id");
        await(() -> runAts(id).size() >= 2, "runs enqueued ahead");
        UUID schedule = schedule(id);

        // as if every node had stopped five minutes ago with these runs enqueued ahead and never started:
        // the schedule, its ledger and its queued runs all moved back by 300 s, in one transaction that holds
        // the schedule row as a window fire does
        List<Instant> enqueuedAhead = new TransactionTemplate(transactionManager).execute(status -> {
            jdbc.sql("SELECT id FROM schedule WHERE id = :s FOR UPDATE").param("s", schedule).query().listOfRows();
            jdbc.sql("UPDATE schedule SET next_fire_at = next_fire_at - interval '300 seconds' WHERE id = :s").param("s", schedule).update();
            jdbc.sql("UPDATE schedule_occurrence SET occurrence = occurrence - interval '300 seconds' WHERE schedule_id = :s")
                    .param("s", schedule).update();
            jdbc.sql("""
                    UPDATE due_work SET scheduled_for = scheduled_for - interval '300 seconds', run_at = run_at - interval '300 seconds',
                                        queue_order = queue_order - interval '300 seconds'
                     WHERE task_id = CAST(:id AS uuid)""").param("id", id).update();
            jdbc.sql("UPDATE task SET active_since = now() - interval '10 minutes' WHERE id = CAST(:id AS uuid)").param("id", id).update();
            return runAts(id);
        });
        assertThat(enqueuedAhead).hasSizeGreaterThanOrEqualTo(2);
        List<String> aheadIds = jdbc.sql("SELECT CAST(id AS text) FROM due_work WHERE task_id = CAST(:id AS uuid) ORDER BY run_at")
                .param("id", id).query(String.class).list();
        assertThat(api.get("/runs/" + aheadIds.get(0)).expect(200).string("status")).as("listed as queued").isEqualTo("queued");

        await(() -> !missed(id).isEmpty(), "the missed occurrences recorded");

        List<Map<String, Object>> missed = jdbc.sql("""
                SELECT first_missed, missed_count, caught_up_for FROM missed_occurrence WHERE task_id = CAST(:id AS uuid)""")
                .param("id", id).query().listOfRows();
        assertThat(missed).as("all within the grace: one record, coalesced into the catch-up").hasSize(1);
        Instant catchUp = ((Timestamp) missed.get(0).get("caught_up_for")).toInstant();
        Instant firstMissed = ((Timestamp) missed.get(0).get("first_missed")).toInstant();
        assertThat(firstMissed).as("the first run enqueued ahead before the outage").isEqualTo(enqueuedAhead.get(0));
        // every second from the first run enqueued ahead to the catch-up is accounted for once: folded or never enqueued
        assertThat(((Number) missed.get(0).get("missed_count")).longValue()).isEqualTo(Duration.between(firstMissed, catchUp).toSeconds());
        List<Instant> queued = runAts(id);
        assertThat(queued).as("the catch-up, then the occurrences from now on").first().isEqualTo(catchUp);
        assertThat(queued).doesNotContainAnyElementsOf(enqueuedAhead);
        // and each folded run answers by its id with its record: skipped, naming the catch-up run; none vanished
        String catchUpRun = jdbc.sql("SELECT CAST(id AS text) FROM due_work WHERE task_id = CAST(:id AS uuid) AND scheduled_for = :at")
                .param("id", id).param("at", Timestamp.from(catchUp)).query(String.class).single();
        for (String folded : aheadIds) {
            Map<String, Object> run = api.get("/runs/" + folded).expect(200).map();
            assertThat(run).as(folded).containsEntry("status", "skipped").containsEntry("trigger", "schedule").containsEntry("attempt", 1)
                    .containsEntry("started_at", null);
            assertThat((String) run.get("error")).as(folded)
                    .isEqualTo("not run: coalesced into the catch-up run " + catchUpRun + " (for " + catchUp + ") after the scheduler recovered from an outage");
        }
        assertThat(jdbc.sql("SELECT count(*) FROM task_run WHERE task_id = CAST(:id AS uuid)").param("id", id).query(Long.class).single())
                .as("history rows: the folded runs', no other").isEqualTo(aheadIds.size());
    }

    @Test
    void an_outage_that_folds_a_snoozed_run_into_the_catch_up_uses_the_snooze_up_and_the_occurrence_it_had_landed_on_fires() throws Exception {
        // given a task every 10 s, snoozed from an occurrence O onto a later occurrence D, O's run waiting for D
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(600);
        Map<String, Object> task = interval("snoozed in an outage", "PT10S", start);
        task.put("misfire_grace_seconds", 900);
        String id = api.post("/tasks", task).expect(201).string("id");
        await(() -> !runAts(id).isEmpty(), "runs enqueued ahead");
        UUID schedule = schedule(id);
        Instant now = Instant.now();
        Instant snoozed = start.plusSeconds((Duration.between(start, now).toSeconds() - 200) / 10 * 10);
        Instant landing = start.plusSeconds((Duration.between(start, now).toSeconds() + 10) / 10 * 10 + 10);

        // as if every node had stopped five minutes ago, with O's snoozed run queued (due at D, 10-20 s after the
        // outage), in one transaction that holds the schedule row as a window fire does
        new TransactionTemplate(transactionManager).executeWithoutResult(status -> {
            jdbc.sql("SELECT id FROM schedule WHERE id = :s FOR UPDATE").param("s", schedule).query().listOfRows();
            jdbc.sql("UPDATE schedule SET next_fire_at = next_fire_at - interval '300 seconds' WHERE id = :s").param("s", schedule).update();
            jdbc.sql("DELETE FROM schedule_occurrence WHERE schedule_id = :s").param("s", schedule).update();
            jdbc.sql("DELETE FROM due_work WHERE task_id = CAST(:id AS uuid)").param("id", id).update();
            jdbc.sql("UPDATE task SET active_since = now() - interval '10 minutes', snoozed_for = :o, snooze_seconds = :s WHERE id = CAST(:id AS uuid)")
                    .param("o", Timestamp.from(snoozed)).param("s", Duration.between(snoozed, landing).toSeconds()).param("id", id).update();
            queue.enqueueTaskOccurrences(UUID.fromString(id), List.of(snoozed));
            assertThat(runAts(id)).containsExactly(landing); // (read before the commit lets a fire see it)
        });

        // when the window fires after the outage, then the snoozed run is folded into the catch-up with the others
        await(() -> !missed(id).isEmpty(), "the missed occurrences recorded");
        assertThat(jdbc.sql("SELECT status FROM task_run WHERE task_id = CAST(:id AS uuid) AND scheduled_for = :o")
                .param("id", id).param("o", Timestamp.from(snoozed)).query(String.class).list()).containsExactly("skipped");
        // and its snooze is used up: D is a regular occurrence again, planned and enqueued
        assertThat(jdbc.sql("SELECT snoozed_for IS NULL FROM task WHERE id = CAST(:id AS uuid)").param("id", id)
                .query(Boolean.class).single()).isTrue();
        assertThat(((List<?>) api.get("/tasks/" + id + "/preview?count=10").expect(200).get("occurrences")).stream().map(String::valueOf).toList())
                .contains(landing.toString());
        await(() -> runAts(id).contains(landing), "the run of the occurrence the snooze had landed on, enqueued");
    }

    private List<Map<String, Object>> missed(String id) {
        return jdbc.sql("SELECT missed_count, caught_up_for FROM missed_occurrence WHERE task_id = CAST(:id AS uuid)")
                .param("id", id).query().listOfRows();
    }

    private List<String> createAll(int n, java.util.function.IntFunction<Map<String, Object>> task) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                futures.add(clients.submit(() -> api.post("/tasks", task.apply(k)).expect(201).string("id")));
            }
            List<String> ids = new ArrayList<>();
            for (Future<String> f : futures) {
                ids.add(f.get());
            }
            return ids;
        } finally {
            clients.shutdownNow();
        }
    }

    private static String json(List<String> ids) {
        return ids.stream().map(i -> "\"" + i + "\"").collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }

    private long duplicates() {
        return jdbc.sql("""
                SELECT count(*) FROM (SELECT task_id, scheduled_for FROM due_work UNION ALL SELECT task_id, scheduled_for FROM task_run) r
                 GROUP BY task_id, scheduled_for HAVING count(*) > 1
                """).query(Long.class).list().size();
    }

    private long queuedDue(String id, boolean due) {
        return jdbc.sql("SELECT count(*) FROM due_work WHERE task_id = CAST(:id AS uuid) AND (run_at <= now()) = :due")
                .param("id", id).param("due", due).query(Long.class).single();
    }

    private List<Instant> runAts(String id) {
        return jdbc.sql("SELECT run_at FROM due_work WHERE task_id = CAST(:id AS uuid) ORDER BY run_at").param("id", id)
                .query(Timestamp.class).list().stream().map(Timestamp::toInstant).toList();
    }

    private UUID schedule(String id) {
        return jdbc.sql("SELECT schedule_id FROM task WHERE id = CAST(:id AS uuid)").param("id", id).query(UUID.class).single();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
