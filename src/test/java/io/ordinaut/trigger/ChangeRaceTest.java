package io.ordinaut.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.ordinaut.support.NodeTestSupport;

/**
 * A task change that races the fire of its schedule: the fire (up to a second ahead of the instant)
 * may be enqueuing the task's next run while the task is canceled, paused or moved to another schedule.
 * Whatever the interleaving, no run of the task starts after the change answered.
 */
class ChangeRaceTest extends NodeTestSupport {

    private static final int TASKS = 50;
    private static final int ROUNDS = 10;
    /**
     * A run claimed just before the change committed was already in flight: task_run.started_at is when
     * its worker began, a moment after the claim. A stray run enqueued by a racing fire starts at its
     * instant, typically hundreds of milliseconds after the change.
     */
    private static final Duration HAND_OVER = Duration.ofMillis(250);

    private ExecutorService pool;

    @BeforeEach
    void threads() {
        pool = Executors.newFixedThreadPool(8);
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** Spread over this many shared schedules (the grace is part of the sharing key): more fires to race. */
    private static final int SCHEDULES = 10;

    static Map<String, Object> secondly(String title, int n) {
        return Map.of("title", title, "schedule_kind", "rrule", "schedule_expr", "FREQ=SECONDLY",
                "misfire_grace_seconds", 3600 + n % SCHEDULES,
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
    }

    @Test
    void no_run_starts_after_a_cancel_pause_or_schedule_change_answered() throws Exception {
        Map<String, Instant> answered = new ConcurrentHashMap<>();
        String farAway = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        for (int round = 0; round < ROUNDS; round++) {
            // given 3 × 50 tasks firing every second, with runs flowing
            List<String> toCancel = create("cancel " + round);
            List<String> toPause = create("pause " + round);
            List<String> toMove = create("move " + round);
            Thread.sleep(700);

            // when every one of them is changed at once, while fires enqueue their next runs
            List<Future<?>> changes = new ArrayList<>();
            changes.addAll(each(toCancel, id -> api.delete("/tasks/" + id).expect(200), answered));
            changes.addAll(each(toPause, id -> api.post("/tasks/" + id + "/pause", "{}").expect(200), answered));
            changes.addAll(each(toMove, id -> api.put("/tasks/" + id,
                    Map.of("schedule_kind", "once", "schedule_expr", farAway)).expect(200), answered));
            for (Future<?> change : changes) {
                change.get();
            }
        }
        // Runs enqueued ahead are due within a second or two; give any stray one time to start.
        Thread.sleep(3_000);

        // then no run of theirs started after its change answered (rescheduled ones: none at an old instant)
        List<String> late = new ArrayList<>();
        answered.forEach((id, at) -> late.addAll(jdbc.sql("""
                        SELECT t.title || ' ' || r.status || ' ' || CAST(r.scheduled_for AS text) || ' started '
                               || CAST(r.started_at - :at AS text) || ' after the answer'
                          FROM task_run r JOIN task t ON t.id = r.task_id
                         WHERE r.task_id = CAST(:id AS uuid) AND r.started_at > :handedOver
                        UNION ALL
                        SELECT 'leased ' || CAST(scheduled_for AS text) FROM due_work
                         WHERE task_id = CAST(:id AS uuid) AND started_at > :handedOver
                        """).param("id", id).param("at", Timestamp.from(at)).param("handedOver", Timestamp.from(at.plus(HAND_OVER)))
                .query(String.class).list()));
        assertThat(answered).hasSize(3 * TASKS * ROUNDS);
        assertThat(late).as("runs started after their task's change answered").isEmpty();
        long ran = jdbc.sql("SELECT count(*) FROM task_run WHERE status = 'succeeded'").query(Long.class).single();
        assertThat(ran).as("the tasks did run before they were changed").isPositive();
    }

    private List<String> create(String title) throws Exception {
        List<Future<String>> created = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            Map<String, Object> body = secondly(title, i);
            created.add(pool.submit(() -> api.post("/tasks", body).expect(201).string("id")));
        }
        List<String> ids = new ArrayList<>();
        for (Future<String> f : created) {
            ids.add(f.get());
        }
        return ids;
    }

    private List<Future<?>> each(List<String> ids, Consumer<String> change, Map<String, Instant> answered) {
        List<Future<?>> futures = new ArrayList<>();
        for (String id : ids) {
            futures.add(pool.submit(() -> {
                change.accept(id);
                answered.put(id, Instant.now());
            }));
        }
        return futures;
    }
}
