package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import io.ordinaut.support.Eventually;

/** What the claim decides: order, concurrency keys, overlap policies; and dedupe at enqueue. */
class ClaimPolicyTest {

    @Test
    void higher_priority_runs_start_first_under_a_backlog() {
        try (QueueFixture fx = new QueueFixture()) {
            // given a backlog where the low priorities were queued first
            DueWorkQueue queue = fx.queue();
            Map<UUID, Integer> priorityOf = new ConcurrentHashMap<>();
            for (int p = 9; p >= 1; p--) {
                UUID task = fx.task(QueueFixture.TaskRow.defaults().allowOverlap().priority(p));
                priorityOf.put(task, p);
                fx.enqueue(queue, task, 5);
            }
            List<Integer> started = Collections.synchronizedList(new ArrayList<>());

            // when one worker drains it
            fx.node("node-a", run -> {
                started.add(priorityOf.get(run.taskId()));
                return RunResult.succeeded(null);
            }, QueueFixture.executor(1, 30, 0));
            Eventually.until("backlog drained", () -> started.size() == 45);

            // then runs started in priority order
            assertThat(started).isSorted();
        }
    }

    @Test
    void a_low_priority_run_waiting_past_its_aging_bound_goes_before_fresh_high_priority_runs() {
        try (QueueFixture fx = new QueueFixture()) {
            // given a priority-9 run due 10 minutes ago (aging 60 s: it may be overtaken for at most 8 minutes)
            DueWorkQueue queue = fx.queue();
            UUID old = fx.task(QueueFixture.TaskRow.defaults().allowOverlap().priority(9));
            queue.enqueueTaskOccurrences(old, List.of(fx.clock.instant().minus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.MICROS)));
            UUID fresh = fx.task(QueueFixture.TaskRow.defaults().allowOverlap().priority(1));
            fx.enqueue(queue, fresh, 5);
            List<UUID> started = Collections.synchronizedList(new ArrayList<>());

            fx.node("node-a", run -> {
                started.add(run.taskId());
                return RunResult.succeeded(null);
            }, QueueFixture.executor(1, 30, 0));
            Eventually.until("all ran", () -> started.size() == 6);

            assertThat(started.get(0)).isEqualTo(old);
        }
    }

    @Test
    @Tag("cluster")
    void runs_sharing_a_concurrency_key_never_exceed_its_limit_across_nodes() {
        try (QueueFixture fx = new QueueFixture()) {
            // given three tasks sharing key "crm" with limit 2, and 60 queued runs
            DueWorkQueue queue = fx.queue();
            for (int t = 0; t < 3; t++) {
                UUID task = fx.task(QueueFixture.TaskRow.defaults().allowOverlap().concurrency("crm", 2));
                fx.enqueue(queue, task, 20);
            }
            AtomicInteger running = new AtomicInteger();
            AtomicInteger maxSeen = new AtomicInteger();
            RunHandler handler = run -> {
                maxSeen.accumulateAndGet(running.incrementAndGet(), Math::max);
                LeaseRecoveryTest.sleep(15);
                running.decrementAndGet();
                return RunResult.succeeded(null);
            };

            // when two nodes with four workers each drain them
            fx.node("node-a", handler, QueueFixture.executor(4, 30, 0));
            fx.node("node-b", handler, QueueFixture.executor(4, 30, 0));
            Eventually.until("all 60 recorded", () -> fx.count("SELECT count(*) FROM task_run") == 60);

            // then no more than two ran at once, none failed or got lost, and the slot is free again
            assertThat(maxSeen.get()).isEqualTo(2);
            assertThat(fx.count("SELECT count(*) FROM task_run WHERE status = 'succeeded'")).isEqualTo(60);
            assertThat(fx.count("SELECT running FROM concurrency_slot WHERE key LIKE 'agent:%:crm'")).isZero();
        }
    }

    @Test
    void overlap_skip_records_an_occurrence_that_comes_up_while_the_previous_run_runs() throws Exception {
        try (QueueFixture fx = new QueueFixture()) {
            UUID task = fx.task(QueueFixture.TaskRow.defaults().overlap("skip"));
            DueWorkQueue queue = fx.queue();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch first = new CountDownLatch(1);
            fx.node("node-a", blockingFirstRun(first, release), QueueFixture.executor(4, 30, 0));

            // given the first occurrence is running
            Instant t1 = fx.clock.instant().truncatedTo(ChronoUnit.MICROS);
            queue.enqueueTaskOccurrences(task, List.of(t1));
            assertThat(first.await(30, TimeUnit.SECONDS)).isTrue();
            UUID running = (UUID) fx.jdbc.sql("SELECT id FROM due_work WHERE task_id = :t").param("t", task).query().singleRow().get("id");

            // when the next occurrence comes up
            queue.enqueueTaskOccurrences(task, List.of(t1.plusMillis(1)));

            // then it is recorded as skipped, naming the run still running
            Eventually.until("skip recorded", () -> fx.history(task).size() == 1);
            Map<String, Object> skipped = fx.history(task).get(0);
            assertThat(skipped).containsEntry("status", "skipped").containsEntry("trigger", "schedule");
            assertThat(skipped.get("success")).isNull();
            assertThat((String) skipped.get("error")).contains("overlap_policy skip", running.toString());
            release.countDown();
            Eventually.until("first run recorded", () -> fx.history(task).size() == 2);
            assertThat(fx.history(task).get(1)).containsEntry("id", running).containsEntry("status", "succeeded");
        }
    }

    @Test
    void overlap_queue_makes_the_next_run_wait_and_allow_lets_runs_overlap() throws Exception {
        try (QueueFixture fx = new QueueFixture()) {
            UUID queued = fx.task(QueueFixture.TaskRow.defaults().overlap("queue"));
            UUID allowed = fx.task(QueueFixture.TaskRow.defaults().overlap("allow"));
            Map<UUID, AtomicInteger> concurrent = new ConcurrentHashMap<>();
            Map<UUID, AtomicInteger> maxConcurrent = new ConcurrentHashMap<>();
            CountDownLatch bothAllowedRunning = new CountDownLatch(2);
            fx.node("node-a", run -> {
                int now = concurrent.computeIfAbsent(run.taskId(), k -> new AtomicInteger()).incrementAndGet();
                maxConcurrent.computeIfAbsent(run.taskId(), k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
                if (run.taskId().equals(allowed)) {
                    bothAllowedRunning.countDown();
                    Eventually.released(bothAllowedRunning);
                } else {
                    LeaseRecoveryTest.sleep(200);
                }
                concurrent.get(run.taskId()).decrementAndGet();
                return RunResult.succeeded(null);
            }, QueueFixture.executor(8, 30, 0));

            DueWorkQueue queue = fx.queue();
            fx.enqueue(queue, queued, 3);
            fx.enqueue(queue, allowed, 2);

            Eventually.until("all recorded", () -> fx.count("SELECT count(*) FROM task_run") == 5);
            assertThat(fx.history(queued)).extracting(r -> r.get("status")).containsOnly("succeeded").hasSize(3);
            assertThat(maxConcurrent.get(queued)).hasValue(1);
            assertThat(maxConcurrent.get(allowed)).hasValue(2);
            // queue keeps occurrence order
            List<Instant> order = fx.history(queued).stream().map(r -> ((Timestamp) r.get("scheduled_for")).toInstant()).toList();
            assertThat(order).isSorted();
        }
    }

    @Test
    void a_dedupe_key_seen_within_its_window_is_not_queued_again() {
        try (QueueFixture fx = new QueueFixture()) {
            UUID task = fx.task(QueueFixture.TaskRow.defaults().dedupe("daily-report", 60));
            DueWorkQueue queue = fx.queue();

            // given a run with the key
            UUID first = queue.enqueueNow(task, "run_now", fx.clock.instant());

            // then run_now within the window is refused, naming the first run
            assertThatThrownBy(() -> queue.enqueueNow(task, "run_now", fx.clock.instant()))
                    .isInstanceOfSatisfying(DueWorkQueue.DuplicateRunException.class, e -> assertThat(e.existingRunId()).isEqualTo(first));
            // and a scheduled run within the window is recorded as skipped
            assertThat(queue.enqueueTaskOccurrences(task, List.of(fx.clock.instant().truncatedTo(ChronoUnit.MICROS)))).isZero();
            Map<String, Object> skipped = fx.history(task).get(0);
            assertThat(skipped).containsEntry("status", "skipped").containsEntry("trigger", "schedule");
            assertThat((String) skipped.get("error")).contains("dedupe", "daily-report", first.toString());
            assertThat(fx.count("SELECT count(*) FROM due_work")).isEqualTo(1);

            // and once the window has passed, the key may run again
            fx.clock.advance(Duration.ofSeconds(61));
            assertThat(queue.enqueueNow(task, "run_now", fx.clock.instant())).isNotEqualTo(first);
            assertThat(fx.count("SELECT count(*) FROM due_work")).isEqualTo(2);
        }
    }

    @Test
    void a_dedupe_skip_names_the_run_of_its_own_batch_that_took_the_key() {
        try (QueueFixture fx = new QueueFixture()) {
            UUID task = fx.task(QueueFixture.TaskRow.defaults().allowOverlap().dedupe("hourly-sync", 60));
            DueWorkQueue queue = fx.queue();
            Instant now = fx.clock.instant().truncatedTo(ChronoUnit.MICROS);

            // given two occurrences sharing the key in one enqueue (a window fire enqueued ahead)
            assertThat(queue.enqueueTaskOccurrences(task, List.of(now.minusSeconds(2), now.minusSeconds(1)))).isOne();

            // then the skipped one names the run that took the key in the same statement
            assertThat(skipNames(fx, task)).containsExactly(queuedRun(fx, task));

            // and once the window has passed, a new batch's skip names the new holder, not the expired one
            fx.clock.advance(Duration.ofSeconds(61));
            Instant later = fx.clock.instant().truncatedTo(ChronoUnit.MICROS);
            fx.jdbc.sql("DELETE FROM due_work").update();
            fx.jdbc.sql("DELETE FROM task_run").update();
            assertThat(queue.enqueueTaskOccurrences(task, List.of(later.minusSeconds(2), later.minusSeconds(1)))).isOne();
            assertThat(skipNames(fx, task)).containsExactly(queuedRun(fx, task));
        }
    }

    @Test
    void a_dedupe_skip_names_the_run_a_racing_enqueue_committed_after_it_began() throws Exception {
        try (QueueFixture fx = new QueueFixture();
             Connection other = fx.dataSource.getConnection()) {
            UUID task = fx.task(QueueFixture.TaskRow.defaults().allowOverlap().dedupe("hourly-sync", 60));
            Instant now = fx.clock.instant().truncatedTo(ChronoUnit.MICROS);

            // given another node's enqueue with the key, not yet committed
            other.setAutoCommit(false);
            DueWorkQueue otherQueue = new DueWorkQueue(JdbcClient.create(new SingleConnectionDataSource(other, true)), fx.clock,
                    RunProperties.defaults());
            assertThat(otherQueue.enqueueTaskOccurrences(task, List.of(now.minusSeconds(2)))).isOne();

            // when this node enqueues another occurrence with the key, and waits on the other's ledger row
            CompletableFuture<Integer> mine = CompletableFuture.supplyAsync(
                    () -> fx.queue().enqueueTaskOccurrences(task, List.of(now.minusSeconds(1))));
            Eventually.until("the second enqueue waits for the first", () -> fx.count(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") == 1);
            other.commit();

            // then its skip names the run the other node queued
            assertThat(mine.get(30, TimeUnit.SECONDS)).isZero();
            assertThat(skipNames(fx, task)).containsExactly(queuedRun(fx, task));
        }
    }

    @Test
    void occurrences_further_apart_than_the_dedupe_window_all_run_though_enqueued_together() {
        try (QueueFixture fx = new QueueFixture()) {
            // given an interval PT2S task with a 1 s dedupe window
            UUID task = fx.task(QueueFixture.TaskRow.defaults().allowOverlap().dedupe("tick", 1));
            DueWorkQueue queue = fx.queue();
            Instant t0 = fx.clock.instant().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);

            // when a window fire enqueues its next five occurrences ahead, and the next window two more
            assertThat(queue.enqueueTaskOccurrences(task, everyTwoSeconds(t0, 0, 5))).isEqualTo(5);
            assertThat(queue.enqueueTaskOccurrences(task, everyTwoSeconds(t0, 5, 7))).isEqualTo(2);

            // then every occurrence is queued and none is recorded a duplicate
            assertThat(fx.history(task)).isEmpty();
            assertThat(fx.count("SELECT count(*) FROM due_work")).isEqualTo(7);
        }
    }

    @Test
    void each_occurrence_is_judged_against_the_last_one_kept_at_its_occurrence_time() {
        try (QueueFixture fx = new QueueFixture()) {
            // given an interval PT2S task with a 5 s dedupe window
            UUID task = fx.task(QueueFixture.TaskRow.defaults().allowOverlap().dedupe("hourly-sync", 5));
            DueWorkQueue queue = fx.queue();
            Instant t0 = fx.clock.instant().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);

            // when one enqueue holds the occurrences at 0, 2, … 12 s, and the next one those at 14, 16, 18 s
            assertThat(queue.enqueueTaskOccurrences(task, everyTwoSeconds(t0, 0, 7))).isEqualTo(3);
            assertThat(queue.enqueueTaskOccurrences(task, everyTwoSeconds(t0, 7, 10))).isOne();

            // then those at 0, 6, 12 and 18 s run: each at least 5 s after the last one kept
            Map<Instant, UUID> queued = queuedByOccurrence(fx, task);
            assertThat(queued.keySet()).containsExactlyInAnyOrder(t0, t0.plusSeconds(6), t0.plusSeconds(12), t0.plusSeconds(18));
            // and each skipped one names the kept run before it — a skip does not move the key's sighting
            Map<Instant, UUID> skips = skipsByOccurrence(fx, task);
            assertThat(skips).containsOnly(
                    Map.entry(t0.plusSeconds(2), queued.get(t0)), Map.entry(t0.plusSeconds(4), queued.get(t0)),
                    Map.entry(t0.plusSeconds(8), queued.get(t0.plusSeconds(6))),
                    Map.entry(t0.plusSeconds(10), queued.get(t0.plusSeconds(6))),
                    Map.entry(t0.plusSeconds(14), queued.get(t0.plusSeconds(12))),
                    Map.entry(t0.plusSeconds(16), queued.get(t0.plusSeconds(12))));
            assertThat(fx.jdbc.sql("SELECT seen_at FROM dedupe_ledger").query(Timestamp.class).single().toInstant())
                    .isEqualTo(t0.plusSeconds(18));
        }
    }

    @Test
    void tasks_sharing_a_dedupe_key_are_judged_together_in_occurrence_order() {
        try (QueueFixture fx = new QueueFixture()) {
            // given two tasks of one owner sharing a key with a 3 s window
            UUID a = fx.task(QueueFixture.TaskRow.defaults().allowOverlap().dedupe("hourly-sync", 3));
            UUID b = fx.task(QueueFixture.TaskRow.defaults().allowOverlap().dedupe("hourly-sync", 3));
            Instant t0 = fx.clock.instant().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);

            // when both get their occurrences at 0, 2 and 4 s in one enqueue
            assertThat(fx.queue().enqueueTasksOccurrences(List.of(a, b), everyTwoSeconds(t0, 0, 3))).isEqualTo(2);

            // then one run at 0 s and one at 4 s run; the other four are duplicates of them
            List<Instant> queued = fx.jdbc.sql("SELECT scheduled_for FROM due_work ORDER BY scheduled_for")
                    .query(Timestamp.class).list().stream().map(Timestamp::toInstant).toList();
            assertThat(queued).containsExactly(t0, t0.plusSeconds(4));
            assertThat(fx.count("SELECT count(*) FROM task_run WHERE status = 'skipped'")).isEqualTo(4);
        }
    }

    @Test
    void a_dedupe_skip_racing_a_cancel_is_not_recorded_after_the_cancel() throws Exception {
        try (QueueFixture fx = new QueueFixture();
             Connection other = fx.dataSource.getConnection()) {
            UUID task = fx.task(QueueFixture.TaskRow.defaults().allowOverlap().dedupe("hourly-sync", 60));
            DueWorkQueue queue = fx.queue();
            Instant now = fx.clock.instant().truncatedTo(ChronoUnit.MICROS);
            // given the key held by a run queued ahead
            assertThat(queue.enqueueTaskOccurrences(task, List.of(now.plusSeconds(1)))).isOne();
            // and another node's statement holding the key's ledger row
            other.setAutoCommit(false);
            try (var st = other.createStatement()) {
                st.execute("SELECT * FROM dedupe_ledger FOR UPDATE");
            }

            // when a window fire enqueues a later occurrence with the key and waits on that row
            CompletableFuture<Integer> fire = CompletableFuture.supplyAsync(
                    () -> queue.enqueueTaskOccurrences(task, List.of(now.plusSeconds(5))));
            Eventually.until("the enqueue waits for the ledger row", () -> fx.count(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") == 1);
            // and the task is canceled meanwhile (its queued run dropped) and the cancel has answered
            fx.jdbc.sql("UPDATE task SET status = 'canceled' WHERE id = :id").param("id", task).update();
            assertThat(queue.dropQueued(task, false, "canceled: the task was canceled")).isOne();
            other.commit();

            // then the fire records nothing for the canceled task
            assertThat(fire.get(30, TimeUnit.SECONDS)).isZero();
            assertThat(fx.history(task)).extracting(r -> r.get("status")).containsExactly("canceled");
        }
    }

    private static List<Instant> everyTwoSeconds(Instant t0, int from, int to) {
        return java.util.stream.IntStream.range(from, to).mapToObj(i -> t0.plusSeconds(2L * i)).toList();
    }

    private static Map<Instant, UUID> queuedByOccurrence(QueueFixture fx, UUID task) {
        Map<Instant, UUID> byOccurrence = new java.util.HashMap<>();
        fx.jdbc.sql("SELECT id, scheduled_for FROM due_work WHERE task_id = :task").param("task", task).query()
                .listOfRows().forEach(r -> byOccurrence.put(((Timestamp) r.get("scheduled_for")).toInstant(), (UUID) r.get("id")));
        return byOccurrence;
    }

    private static Map<Instant, UUID> skipsByOccurrence(QueueFixture fx, UUID task) {
        Map<Instant, UUID> byOccurrence = new java.util.HashMap<>();
        fx.history(task).stream().filter(r -> "skipped".equals(r.get("status"))).forEach(r -> {
            Matcher m = Pattern.compile("\\(run ([0-9a-f-]{36})\\)$").matcher((String) r.get("error"));
            byOccurrence.put(((Timestamp) r.get("scheduled_for")).toInstant(), m.find() ? UUID.fromString(m.group(1)) : null);
        });
        return byOccurrence;
    }

    /** The run id each dedupe skip of the task names ("… (run <id>)"), or null for one that names none. */
    private static List<UUID> skipNames(QueueFixture fx, UUID task) {
        return fx.history(task).stream()
                .filter(r -> "skipped".equals(r.get("status")))
                .map(r -> (String) r.get("error"))
                .map(error -> {
                    assertThat(error).startsWith("skipped (dedupe): dedupe_key hourly-sync was already seen");
                    Matcher m = Pattern.compile("\\(run ([0-9a-f-]{36})\\)$").matcher(error);
                    return m.find() ? UUID.fromString(m.group(1)) : null;
                })
                .toList();
    }

    private static UUID queuedRun(QueueFixture fx, UUID task) {
        return fx.jdbc.sql("SELECT id FROM due_work WHERE task_id = :task").param("task", task).query(UUID.class).single();
    }

    private static RunHandler blockingFirstRun(CountDownLatch started, CountDownLatch release) {
        AtomicInteger calls = new AtomicInteger();
        return run -> {
            if (calls.incrementAndGet() == 1) {
                started.countDown();
                Eventually.released(release);
            }
            return RunResult.succeeded(null);
        };
    }
}
