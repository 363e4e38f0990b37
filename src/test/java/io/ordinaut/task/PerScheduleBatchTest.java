package io.ordinaut.task;

import static io.ordinaut.task.TaskApiTest.task;
import static io.ordinaut.task.TaskApiTest.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;

/**
 * POST /tasks/batch in per-schedule firing mode, where every new shared schedule gets its own Quartz
 * trigger inside the batch's transaction.
 */
@TestPropertySource(properties = "ordinaut.trigger.mode=per-schedule")
class PerScheduleBatchTest extends NodeTestSupport {

    @Test
    void a_batch_of_many_new_distinct_schedules_creates_every_task_and_trigger() {
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            items.add(with(task("interval", "PT1H"), "misfire_grace_seconds", 60 + i));
        }

        Response r = api.post("/tasks/batch", Map.of("tasks", items, "atomic", true)).expect(200);

        assertThat(r.get("created")).isEqualTo(250);
        assertThat(jdbc.sql("SELECT count(*) FROM task WHERE schedule_id IS NOT NULL").query(Long.class).single()).isEqualTo(250L);
        assertThat(jdbc.sql("SELECT count(*) FROM schedule").query(Long.class).single()).isEqualTo(250L);
        assertThat(jdbc.sql("SELECT count(*) FROM qrtz_triggers WHERE trigger_group = 'ordinaut'").query(Long.class).single())
                .isEqualTo(250L);
    }
}
