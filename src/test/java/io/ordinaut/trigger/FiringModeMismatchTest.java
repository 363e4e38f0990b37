package io.ordinaut.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.support.Nodes;
import io.ordinaut.support.StartupFailure;

/**
 * A node started with another ordinaut.trigger.mode than the live nodes' would convert the triggers under them
 * (per-schedule removes the window triggers they fire by): it refuses to start, with one line, and leaves the
 * triggers alone. Stopping every node and starting with the new mode still switches.
 */
@Tag("cluster")
@ExtendWith(OutputCaptureExtension.class)
class FiringModeMismatchTest {

    static long windowTriggers(JdbcClient jdbc) {
        return jdbc.sql("SELECT count(*) FROM qrtz_triggers WHERE trigger_group = :group").param("group", FiringMode.WINDOW_GROUP)
                .query(Long.class).single();
    }

    @Test
    void a_node_with_another_firing_mode_than_the_live_nodes_does_not_start(CapturedOutput captured) {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext windows = nodes.start("mode-windows");
            JdbcClient jdbc = Nodes.jdbc(windows);
            assertThat(windowTriggers(jdbc)).isEqualTo(4);

            int before = captured.getAll().length();
            assertThatThrownBy(() -> nodes.start("mode-per-schedule", Map.of("ORDINAUT_TRIGGER_MODE", "per-schedule")))
                    .isInstanceOf(Exception.class);
            String output = captured.getAll().substring(before);
            assertThat(output).contains("APPLICATION FAILED TO START").doesNotContain("Firing mode per-schedule");
            assertThat(StartupFailure.report(output)).contains("ORDINAUT_TRIGGER_MODE (ordinaut.trigger.mode) is 'per-schedule' but live nodes run another mode: "
                    + "mode-windows (windows)").doesNotContain("\tat ");
            assertThat(windowTriggers(jdbc)).as("the window triggers the live node fires by are left alone").isEqualTo(4);
            assertThat(jdbc.sql("SELECT state FROM worker_heartbeat WHERE node_id = 'mode-per-schedule'").query(String.class).single())
                    .as("the refused node does not count as live").isEqualTo("stopped");

            // the way to switch: stop every node, then start with the new mode
            nodes.stop(windows);
            ConfigurableApplicationContext perSchedule = nodes.start("mode-per-schedule", Map.of("ORDINAUT_TRIGGER_MODE", "per-schedule"));
            assertThat(windowTriggers(Nodes.jdbc(perSchedule))).isZero();
            assertThat(Nodes.api(perSchedule).get("/admin/scheduler").expect(200).get("firing_mode")).isEqualTo("per-schedule");
        }
    }
}
