package io.ordinaut.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.support.Nodes;

/**
 * A database whose schedules fired by per-schedule triggers keeps firing after a restart in windows mode:
 * start-up fills next_fire_at from the ledger and swaps the per-schedule triggers for the window triggers.
 */
@Tag("cluster")
class WindowUpgradeTest {

    @Test
    void switching_an_existing_database_to_windows_keeps_every_schedule_firing_once_per_occurrence() throws Exception {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext old = nodes.start("per-schedule", Map.of("ordinaut.trigger.mode", "per-schedule"));
            String id = Nodes.api(old).post("/tasks", SchedulingClusterTest.everyTwoSeconds()).expect(201).string("id");
            Thread.sleep(3_000);
            assertThat(Nodes.jdbc(old).sql("SELECT count(*) FROM qrtz_triggers WHERE trigger_group = 'ordinaut'").query(Long.class).single())
                    .isOne();
            nodes.stop(old);

            ConfigurableApplicationContext upgraded = nodes.start("windows", Map.of("ordinaut.trigger.mode", "windows",
                    "ordinaut.trigger.groups", 2, "ordinaut.trigger.window", "1s", "ordinaut.trigger.horizon", "3s"));
            Instant switched = Instant.now();
            JdbcClient jdbc = Nodes.jdbc(upgraded);
            Thread.sleep(8_000);

            assertThat(jdbc.sql("SELECT trigger_group FROM qrtz_triggers").query(String.class).list())
                    .containsOnly(FiringMode.WINDOW_GROUP).hasSize(2);
            assertThat(jdbc.sql("SELECT count(*) FROM schedule WHERE next_fire_at IS NULL").query(Long.class).single()).isZero();
            List<Instant> ran = jdbc.sql("SELECT scheduled_for FROM task_run WHERE task_id = CAST(:id AS uuid) AND status = 'succeeded' "
                            + "AND scheduled_for > :after ORDER BY scheduled_for")
                    .param("id", id).param("after", Timestamp.from(switched.plusSeconds(1)))
                    .query(Timestamp.class).list().stream().map(Timestamp::toInstant).toList();
            assertThat(ran).hasSizeGreaterThanOrEqualTo(2).doesNotHaveDuplicates();
            for (int i = 1; i < ran.size(); i++) {
                assertThat(ran.get(i).getEpochSecond() - ran.get(i - 1).getEpochSecond()).as("no gap after %s", ran.get(i - 1)).isEqualTo(2);
            }
            assertThat(jdbc.sql("SELECT count(*) FROM (SELECT scheduled_for FROM task_run WHERE task_id = CAST(:id AS uuid) "
                    + "GROUP BY scheduled_for HAVING count(*) > 1) d").param("id", id).query(Long.class).single()).isZero();
        }
    }
}
