package io.ordinaut.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.support.Api;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.Nodes;

/**
 * Real nodes on one database: occurrences fire on time, once each, across restarts, with two nodes,
 * and after an outage at most one catch-up run is made.
 */
@Tag("cluster")
class SchedulingClusterTest {

    static Map<String, Object> everyTwoSeconds() {
        return Map.of("title", "every two seconds", "schedule_kind", "rrule", "schedule_expr", "FREQ=SECONDLY;INTERVAL=2",
                "payload", Map.of("params", Map.of("n", 1),
                        "pipeline", List.of(Map.of("id", "ping", "uses", "noop.ping", "with", Map.of("n", "${params.n}")))));
    }

    @Test
    void secondly_rrule_fires_each_occurrence_once_on_time() throws Exception {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext node = nodes.start("solo");
            String id = Nodes.api(node).post("/tasks", everyTwoSeconds()).expect(201).string("id");

            List<Run> runs = awaitRuns(Nodes.jdbc(node), id, 3);
            Api api = Nodes.api(node);
            String createdAt = api.get("/tasks/" + id).string("created_at");
            @SuppressWarnings("unchecked")
            List<String> preview = (List<String>) api.get("/tasks/" + id + "/preview?count=20&after=" + createdAt).get("occurrences");
            List<Instant> previewed = preview.stream().map(o -> java.time.OffsetDateTime.parse(o).toInstant()).toList();
            assertThat(runs).extracting(Run::scheduledFor).as("fired exactly the previewed instants")
                    .containsExactlyElementsOf(previewed.subList(0, runs.size()));
            assertEachOccurrenceOnceWithoutGaps(runs, Duration.ofSeconds(2));
            for (Run run : runs) {
                assertThat(run.scheduledFor().getEpochSecond() % 2).as("anchored at midnight: even seconds").isZero();
                // on time: never early, and late by seconds at most (margin for a loaded 2-core machine), not by
                // a misfire or a later occurrence
                assertThat(Duration.between(run.scheduledFor(), run.startedAt())).as("start lag of %s", run.scheduledFor())
                        .isBetween(Duration.ZERO, Duration.ofSeconds(3));
                assertThat(run.success()).isTrue();
            }
        }
    }

    @Test
    void restarting_the_node_keeps_firing_without_duplicates() throws Exception {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext first = nodes.start("first");
            String id = Nodes.api(first).post("/tasks", everyTwoSeconds()).expect(201).string("id");
            JdbcClient jdbc = Nodes.jdbc(first);
            awaitRuns(jdbc, id, 2);
            int before = runs(jdbc, id).size();
            nodes.stop(first);

            ConfigurableApplicationContext second = nodes.start("second");
            JdbcClient secondJdbc = Nodes.jdbc(second);
            List<Run> runs = awaitRuns(secondJdbc, id, before + 3);
            assertThat(before).isGreaterThanOrEqualTo(1);
            assertThat(runs.size()).isGreaterThan(before + 1);
            assertNoDuplicates(runs);
            // Runs enqueued ahead that came due while no node was up run late when the node is back; with
            // overlap_policy skip, those due at once behind an earlier one are recorded skipped (they never
            // started: no started_at). Every occurrence since the restart is a run row, none twice, none lost —
            // or, had the restart been long enough to count as an outage, in the misfire ledger.
            Instant restartedAt = runs.get(before).scheduledFor();
            assertEachOccurrenceOnceWithoutGaps(accounted(secondJdbc, id, restartedAt), Duration.ofSeconds(2));
            assertThat(runs).filteredOn(r -> r.startedAt() == null)
                    .allSatisfy(r -> assertThat(r.status()).as("a run without started_at never started").isEqualTo("skipped"));
            assertThat(runs).filteredOn(r -> r.startedAt() != null).allSatisfy(r -> assertThat(r.success()).isTrue());
            assertThat(Nodes.api(second).get("/tasks/" + id).expect(200).get("status")).isEqualTo("active");
        }
    }

    @Test
    void two_nodes_started_at_once_on_an_empty_database_fire_each_occurrence_once() throws Exception {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            CompletableFuture<ConfigurableApplicationContext> a = CompletableFuture.supplyAsync(() -> nodes.start("node-a"));
            CompletableFuture<ConfigurableApplicationContext> b = CompletableFuture.supplyAsync(() -> nodes.start("node-b"));
            ConfigurableApplicationContext nodeA = a.get();
            ConfigurableApplicationContext nodeB = b.get();

            String id = Nodes.api(nodeA).post("/tasks", everyTwoSeconds()).expect(201).string("id");
            assertThat(Nodes.api(nodeB).get("/tasks/" + id).expect(200).get("status")).isEqualTo("active");

            List<Run> runs = awaitRuns(Nodes.jdbc(nodeB), id, 5);
            assertThat(runs.size()).isGreaterThanOrEqualTo(4);
            assertEachOccurrenceOnceWithoutGaps(runs, Duration.ofSeconds(2));
            long schedulers = Nodes.jdbc(nodeA).sql("SELECT count(*) FROM qrtz_scheduler_state").query(Long.class).single();
            assertThat(schedulers).isEqualTo(2);
        }
    }

    @Test
    void occurrences_missed_while_no_node_was_up_are_caught_up_once_and_recorded() throws Exception {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            // An outage counts from 5 s here (30 s by default, to cover Quartz's cluster recovery), so the test is short.
            Map<String, Object> outageAfter5s = Map.of("ordinaut.trigger.outage-threshold", "5s");
            ConfigurableApplicationContext first = nodes.start("first", outageAfter5s);
            String id = Nodes.api(first).post("/tasks", everyTwoSeconds()).expect(201).string("id");
            awaitRuns(Nodes.jdbc(first), id, 1);
            nodes.stop(first);
            Instant down = Instant.now();

            // No node is up for 20 s, ~10 occurrences: longer than the runs enqueued ahead before the stop cover
            // (windows mode enqueues 5-10 s ahead), so occurrences nobody enqueued are more than the outage
            // threshold late when the node comes back — an outage, not a backlog.
            Thread.sleep(20_000);
            ConfigurableApplicationContext second = nodes.start("second", outageAfter5s);

            JdbcClient jdbc = Nodes.jdbc(second);
            List<Run> runs = Eventually.until("the catch-up run and one after it", Duration.ofSeconds(60), () -> runs(jdbc, id),
                    all -> all.stream().filter(r -> r.startedAt() != null && !r.scheduledFor().isBefore(down)).count() >= 2);
            assertNoDuplicates(runs);
            List<Run> started = runs.stream().filter(r -> r.startedAt() != null).toList();
            Instant lastBeforeDown = started.stream().map(Run::scheduledFor).filter(i -> i.isBefore(down)).max(Instant::compareTo).orElseThrow();
            Run catchUp = started.stream().filter(r -> r.scheduledFor().isAfter(lastBeforeDown)).findFirst().orElseThrow();
            // The runs enqueued ahead before the stop were folded into the catch-up: each is recorded skipped, none ran.
            assertThat(runs).filteredOn(r -> r.scheduledFor().isAfter(lastBeforeDown) && r.scheduledFor().isBefore(catchUp.scheduledFor()))
                    .allSatisfy(r -> assertThat(r.status()).isEqualTo("skipped"));
            // ~10 occurrences passed while no node was up — some enqueued ahead before the stop, the others by no
            // node: they became one run, for the latest of them; the others are recorded coalesced into it.
            assertThat(Duration.between(lastBeforeDown, catchUp.scheduledFor())).isGreaterThanOrEqualTo(Duration.ofSeconds(18));
            assertThat(catchUp.status()).isEqualTo("succeeded");
            List<Map<String, Object>> missed = jdbc.sql("""
                    SELECT first_missed, last_missed, missed_count, caught_up_for, reason FROM missed_occurrence
                     WHERE task_id = CAST(:id AS uuid)""").param("id", id).query().listOfRows();
            assertThat(missed).hasSize(1);
            assertThat(((Number) missed.get(0).get("missed_count")).intValue())
                    .isEqualTo((int) Duration.between(lastBeforeDown, catchUp.scheduledFor()).toSeconds() / 2 - 1);
            assertThat(((Timestamp) missed.get(0).get("caught_up_for")).toInstant()).isEqualTo(catchUp.scheduledFor());
            assertThat(((Timestamp) missed.get(0).get("first_missed")).toInstant()).isEqualTo(lastBeforeDown.plusSeconds(2));
            List<Run> afterCatchUp = runs.stream().filter(r -> !r.scheduledFor().isBefore(catchUp.scheduledFor())).toList();
            assertThat(afterCatchUp.size()).isGreaterThanOrEqualTo(2);
            assertEachOccurrenceOnceWithoutGaps(afterCatchUp, Duration.ofSeconds(2));
        }
    }

    /** A task_run row; startedAt is null for a run that never started (skipped, canceled). */
    record Run(Instant scheduledFor, Instant startedAt, boolean success, String status) {
    }

    static List<Run> awaitRuns(JdbcClient jdbc, String taskId, int atLeast) {
        return Eventually.until(atLeast + " runs of task " + taskId, Duration.ofSeconds(60), () -> runs(jdbc, taskId),
                all -> all.size() >= atLeast);
    }

    static List<Run> runs(JdbcClient jdbc, String taskId) {
        return jdbc.sql("""
                        SELECT scheduled_for, started_at, success, status FROM task_run WHERE task_id = CAST(:id AS uuid)
                         ORDER BY scheduled_for""")
                .param("id", taskId)
                .query((rs, i) -> new Run(rs.getTimestamp(1).toInstant(),
                        rs.getTimestamp(2) == null ? null : rs.getTimestamp(2).toInstant(), rs.getBoolean(3), rs.getString(4)))
                .list();
    }

    /**
     * Every occurrence after {@code after} the task has an account of, as runs: its task_run rows and the
     * occurrences in its missed_occurrence records (every two seconds from first to last missed).
     */
    static List<Run> accounted(JdbcClient jdbc, String taskId, Instant after) {
        List<Run> all = new ArrayList<>(runs(jdbc, taskId));
        jdbc.sql("SELECT first_missed, last_missed FROM missed_occurrence WHERE task_id = CAST(:id AS uuid)").param("id", taskId)
                .query((rs, i) -> {
                    for (Instant o = rs.getTimestamp(1).toInstant(); !o.isAfter(rs.getTimestamp(2).toInstant()); o = o.plusSeconds(2)) {
                        all.add(new Run(o, null, false, "missed"));
                    }
                    return null;
                }).list();
        return all.stream().filter(r -> r.scheduledFor().isAfter(after)).sorted(java.util.Comparator.comparing(Run::scheduledFor)).toList();
    }

    static void assertNoDuplicates(List<Run> runs) {
        assertThat(runs.stream().map(Run::scheduledFor).distinct().count()).as("one run per occurrence").isEqualTo(runs.size());
    }

    static void assertEachOccurrenceOnceWithoutGaps(List<Run> runs, Duration period) {
        assertNoDuplicates(runs);
        List<Duration> gaps = new ArrayList<>();
        for (int i = 1; i < runs.size(); i++) {
            gaps.add(Duration.between(runs.get(i - 1).scheduledFor(), runs.get(i).scheduledFor()));
        }
        assertThat(gaps).as("consecutive occurrences").allMatch(period::equals);
    }
}
