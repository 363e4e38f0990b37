package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;

/**
 * Where the server's autovacuum is off, the node vacuums and analyzes its tables past autovacuum's
 * thresholds: a task table that was never analyzed gets statistics, and dead queue-like rows are vacuumed.
 * (The round is run as if autovacuum were off, whatever this server's setting.)
 */
class AutovacuumStandInTest extends NodeTestSupport {

    @Autowired
    AutovacuumStandIn standIn;

    @Test
    void tables_past_the_thresholds_are_analyzed_and_vacuumed_and_the_rest_left_alone() {
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            items.add(Map.of("title", "upkeep " + i, "schedule_kind", "cron", "schedule_expr", "0 9 * * 1-5",
                    "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run")))));
        }
        api.post("/tasks/batch", Map.of("tasks", items, "atomic", true)).expect(200);
        // Two rewrites of every task leave 400 dead rows: past 50 + 20 % of 200.
        jdbc.sql("UPDATE task SET description = 'once' WHERE title LIKE 'upkeep %'").update();
        jdbc.sql("UPDATE task SET description = 'twice' WHERE title LIKE 'upkeep %'").update();

        // The statistics PostgreSQL keeps reach pg_stat_user_tables within a second or so of the commits.
        Eventually.until("the task table is vacuumed and analyzed", () -> {
            standIn.upkeep(true);
            return Boolean.TRUE.equals(jdbc.sql("""
                    SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL FROM pg_stat_user_tables
                     WHERE schemaname = current_schema() AND relname = 'task'""").query(Boolean.class).single());
        });
        assertThat(jdbc.sql("SELECT reltuples FROM pg_class WHERE oid = CAST('task' AS regclass)").query(Double.class).single())
                .isGreaterThanOrEqualTo(200);
        // (How many dead rows the vacuum could remove depends on the snapshots the node's own duties hold meanwhile.)

        // A table below both thresholds (no rows, no changes) is not touched.
        standIn.upkeep(true);
        assertThat(jdbc.sql("""
                SELECT last_vacuum IS NULL AND last_analyze IS NULL FROM pg_stat_user_tables
                 WHERE schemaname = current_schema() AND relname = 'concurrency_slot'""").query(Boolean.class).single()).isTrue();
    }
}
