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

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.support.Api;
import io.ordinaut.support.Nodes;

/**
 * Two real nodes in ordinaut.trigger.mode=windows on one database, one of them stopped mid-window, while
 * tasks join, leave and change schedule: every (task, occurrence) of a distinct schedule runs exactly once.
 */
@Tag("cluster")
class WindowClusterTest {

    private static final Map<String, Object> WINDOWS = Map.of(
            "ordinaut.trigger.mode", "windows",
            "ordinaut.trigger.groups", 2,
            "ordinaut.trigger.window", "1s",
            "ordinaut.trigger.horizon", "3s");
    private static final int DISTINCT = 40;

    static Map<String, Object> everyTwoSeconds(String title, Instant startAt) {
        Map<String, Object> task = new HashMap<>(Map.of("title", title, "schedule_kind", "interval", "schedule_expr", "PT2S",
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run")))));
        task.put("start_at", startAt.toString());
        return task;
    }

    @Test
    void distinct_schedules_run_once_per_occurrence_across_two_nodes_one_stopped_mid_window_while_tasks_come_and_go()
            throws Exception {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext a = nodes.start("window-a", WINDOWS);
            ConfigurableApplicationContext b = nodes.start("window-b", WINDOWS);
            // Node a is the one stopped: both nodes run in this JVM, where Quartz keeps one connection provider
            // per scheduler name, the last node's — closing node b's pool would cut node a's Quartz off too.
            Api api = Nodes.api(b);
            JdbcClient jdbc = Nodes.jdbc(b);
            Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
            List<String> steady = new ArrayList<>();
            List<Instant> starts = new ArrayList<>();
            for (int i = 0; i < DISTINCT; i++) {
                // distinct schedules: each its own start_at (50 ms apart)
                Instant start = base.plusMillis(i * 50L);
                starts.add(start);
                steady.add(api.post("/tasks", everyTwoSeconds("steady " + i, start)).expect(201).string("id"));
            }
            assertThat(jdbc.sql("SELECT count(*) FROM schedule").query(Long.class).single()).isEqualTo(DISTINCT);
            Thread.sleep(4_000);

            // tasks join existing schedules (enqueued ahead), others leave or change schedule, then node a stops
            List<String> joined = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                joined.add(Nodes.api(a).post("/tasks", everyTwoSeconds("joined " + i, starts.get(i))).expect(201).string("id"));
            }
            Instant joinedAt = Instant.now();
            List<String> left = steady.subList(DISTINCT - 5, DISTINCT);
            for (String id : left) {
                api.post("/tasks/" + id + "/cancel", "{}").expect(200);
            }
            Instant leftAt = Instant.now();
            List<String> moved = steady.subList(DISTINCT - 10, DISTINCT - 5);
            for (String id : moved) {
                api.put("/tasks/" + id, everyTwoSeconds("moved", base.plusMillis(777))).expect(200);
            }
            Instant movedAt = Instant.now();
            nodes.stop(a);
            Instant end = Instant.now().plusSeconds(8);
            // Window triggers node a had acquired when it stopped are recovered by node b at Quartz's cluster
            // check-in, so their groups may run late by that much — as backlog, never lost: wait until every
            // schedule has moved past `end` and the queue has run everything due by then.
            Thread.sleep(8_000);
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline && jdbc.sql("""
                    SELECT (SELECT count(*) FROM schedule WHERE next_fire_at <= :end) + (SELECT count(*) FROM due_work WHERE scheduled_for <= :end)
                    """).param("end", Timestamp.from(end)).query(Long.class).single() > 0) {
                Thread.sleep(250);
            }
            Thread.sleep(1_000);

            // no (task, occurrence) twice, in the history or the queue
            assertThat(jdbc.sql("SELECT coalesce(sum(missed_count), 0) FROM missed_occurrence").query(Long.class).single())
                    .as("occurrences recorded missed").isZero();
            assertThat(jdbc.sql("""
                    SELECT count(*) FROM (SELECT task_id, scheduled_for FROM task_run UNION ALL SELECT task_id, scheduled_for FROM due_work) r
                     GROUP BY task_id, scheduled_for HAVING count(*) > 1
                    """).query(Long.class).list()).isEmpty();
            // each steady task ran every occurrence from its start to the end, whichever node enqueued it
            for (int i = 0; i < DISTINCT - 10; i++) {
                // (on a loaded machine a task may be created after its start_at: its occurrences count from its creation)
                Instant created = jdbc.sql("SELECT created_at FROM task WHERE id = CAST(:id AS uuid)").param("id", steady.get(i))
                        .query(Timestamp.class).single().toInstant();
                List<Instant> ran = succeeded(jdbc, steady.get(i), starts.get(i), end);
                assertThat(ran).as("steady task %d", i)
                        .isEqualTo(expected(starts.get(i), end).stream().filter(o -> o.isAfter(created)).toList());
            }
            // joined tasks: every occurrence after they joined
            for (int i = 0; i < joined.size(); i++) {
                Instant from = joinedAt.plusSeconds(1);
                List<Instant> ran = succeeded(jdbc, joined.get(i), from, end);
                assertThat(ran).as("joined task %d", i).isEqualTo(expected(starts.get(i), end).stream().filter(o -> !o.isBefore(from)).toList());
            }
            // left tasks: nothing ran after they were canceled (runs queued ahead are recorded canceled, nothing else)
            for (String id : left) {
                assertThat(jdbc.sql("SELECT count(*) FROM task_run WHERE task_id = CAST(:id AS uuid) AND scheduled_for > :at AND status <> 'canceled'")
                        .param("id", id).param("at", Timestamp.from(leftAt)).query(Long.class).single()).isZero();
            }
            // moved tasks: only the new schedule's occurrences after the change
            for (String id : moved) {
                List<Instant> after = succeeded(jdbc, id, movedAt.plusSeconds(1), end);
                assertThat(after).isNotEmpty().allSatisfy(o -> assertThat(o.toEpochMilli() % 1000).isEqualTo(777));
            }
        }
    }

    private static List<Instant> expected(Instant start, Instant end) {
        List<Instant> all = new ArrayList<>();
        for (Instant o = start; !o.isAfter(end); o = o.plusSeconds(2)) {
            all.add(o);
        }
        return all;
    }

    private static List<Instant> succeeded(JdbcClient jdbc, String id, Instant from, Instant to) {
        return jdbc.sql("""
                SELECT scheduled_for FROM task_run
                 WHERE task_id = CAST(:id AS uuid) AND status = 'succeeded' AND scheduled_for >= :from AND scheduled_for <= :to
                 ORDER BY scheduled_for
                """).param("id", id).param("from", Timestamp.from(from)).param("to", Timestamp.from(to))
                .query(Timestamp.class).list().stream().map(Timestamp::toInstant).toList();
    }
}
