package io.ordinaut.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.ordinaut.support.NodeTestSupport;

/**
 * A window fire's scan for due schedules goes through the next_fire_at index even in the generic plan
 * PostgreSQL switches a prepared statement to after a few executions — not through the primary key,
 * which reads every registered schedule on each fire (a million: seconds per fire). A plan, not a timing.
 */
class DueScanPlanTest extends NodeTestSupport {

    @Autowired
    private DataSource dataSource;

    @Test
    void the_generic_plan_of_the_due_scan_reads_the_next_fire_index() throws Exception {
        // given 20,000 registered schedules, none due for months, and fresh statistics
        jdbc.sql("""
                INSERT INTO schedule (id, sharing_key, kind, expr, timezone, anchor, misfire_grace_seconds, next_fire_at)
                SELECT gen_random_uuid(), 'plan-' || g, 'cron', '0 0 1 1 *', 'UTC', now(), 60 + g,
                       date_trunc('year', now()) + interval '1 year'
                  FROM generate_series(1, 20000) g
                """).update();
        jdbc.sql("ANALYZE schedule").update();
        String prepared = WindowFirer.DUE.replace(":until", "$1").replace(":now", "$2").replace(":groups", "$3")
                .replace(":group", "$4").replace(":limit", "$5");

        List<String> plan = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            // when the statement is planned generically, as after five executions of a prepared statement
            st.execute("SET LOCAL plan_cache_mode = force_generic_plan");
            st.execute("PREPARE due_scan(timestamptz, timestamptz, integer, integer, integer) AS " + prepared);
            try (ResultSet rs = st.executeQuery("EXPLAIN EXECUTE due_scan(now() + interval '10 seconds', now(), 4, 1, 1000)")) {
                while (rs.next()) {
                    plan.add(rs.getString(1));
                }
            }
            st.execute("DEALLOCATE due_scan");
            c.rollback();
        }

        // then it reads the next_fire_at index, never the whole table
        String text = String.join("\n", plan);
        assertThat(text).contains("schedule_next_fire_idx").doesNotContain("Seq Scan on schedule");
    }
}
