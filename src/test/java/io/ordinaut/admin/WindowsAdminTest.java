package io.ordinaut.admin;

import static io.ordinaut.admin.AdminApiTest.castList;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import org.quartz.TriggerKey;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Api.Response;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;

/**
 * The trigger endpoints in windows mode, where a few window triggers fire every schedule of their group:
 * a trigger row is a window group with its schedules and tasks, a task or schedule filter finds its
 * group's trigger, pausing a window pauses all its members (and only them), and the repair recreates a
 * missing window trigger and fixes schedules the windows would never pick up.
 */
@TestPropertySource(properties = {
        "ordinaut.trigger.mode=windows",
        "ordinaut.trigger.groups=2",
        "ordinaut.trigger.window=1s",
        "ordinaut.trigger.horizon=2s",
        "ordinaut.node.roles=api,scheduler"})
class WindowsAdminTest extends NodeTestSupport {

    @Autowired
    Scheduler scheduler;

    long runs(String taskId) {
        return jdbc.sql("SELECT (SELECT count(*) FROM due_work WHERE task_id = :id) + (SELECT count(*) FROM task_run WHERE task_id = :id)")
                .param("id", UUID.fromString(taskId)).query(Long.class).single();
    }

    UUID scheduleOf(String taskId) {
        return jdbc.sql("SELECT schedule_id FROM task WHERE id = :id").param("id", UUID.fromString(taskId)).query(UUID.class).single();
    }

    /** Puts the task's schedule in window group {@code group} (of 2). */
    void bucket(String taskId, int group) {
        jdbc.sql("UPDATE schedule SET fire_bucket = :b WHERE id = :id").param("b", group).param("id", scheduleOf(taskId)).update();
    }

    long tasksInGroup(int group) {
        return jdbc.sql("SELECT count(*) FROM task t JOIN schedule s ON s.id = t.schedule_id WHERE s.fire_bucket % 2 = :g")
                .param("g", group).query(Long.class).single();
    }

    String task(String title, int interval) {
        return api.post("/tasks", AdminApiTest.secondly(title, interval)).expect(201).string("id");
    }

    @Test
    void a_trigger_is_a_window_group_with_its_schedules_and_tasks_and_filters_map_a_task_to_its_window() {
        String a = task("window a", 3);
        String b = task("window b", 4);
        bucket(a, 0);
        bucket(b, 1);

        Response all = api.get("/admin/triggers").expect(200);
        assertThat(all.items()).extracting(i -> i.get("key")).contains("ordinaut-windows.window-0", "ordinaut-windows.window-1");
        assertThat(all.items()).allSatisfy(i -> assertThat(i.get("kind")).isEqualTo("window"));
        Map<String, Object> w0 = api.get("/admin/triggers?task_id=" + a).expect(200).items().get(0);
        assertThat(w0.get("key")).isEqualTo("ordinaut-windows.window-0");
        assertThat(w0.get("window_group")).isEqualTo(0);
        assertThat(((Number) w0.get("tasks")).longValue()).isEqualTo(tasksInGroup(0));
        assertThat(((Number) w0.get("schedules")).longValue()).isGreaterThanOrEqualTo(1);
        assertThat(w0.get("schedule")).isNull();
        assertThat(w0.get("misfire_instruction")).isEqualTo("reschedule_now_with_existing_repeat_count");
        assertThat(api.get("/admin/triggers?schedule_id=" + scheduleOf(b)).expect(200).items()).extracting(i -> i.get("key"))
                .containsExactly("ordinaut-windows.window-1");
        assertThat(api.get("/admin/triggers?task_id=" + a + "&schedule_id=" + scheduleOf(b)).expect(200).get("total")).isEqualTo(0);

        @SuppressWarnings("unchecked")
        List<String> next = (List<String>) api.get("/admin/triggers/window-1").expect(200).get("next_fire_times");
        assertThat(next).hasSize(10);
        assertThat(Duration.between(Instant.parse(next.get(0)), Instant.parse(next.get(1)))).isEqualTo(Duration.ofSeconds(1));
        api.delete("/tasks/" + a).expect(200);
        api.delete("/tasks/" + b).expect(200);
    }

    @Test
    void pausing_a_window_trigger_pauses_every_task_of_its_group_and_no_other() throws Exception {
        String a = task("paused group", 1);
        String b = task("other group", 2);
        bucket(a, 0);
        bucket(b, 1);
        Eventually.until("both fire", () -> runs(a) >= 2 && runs(b) >= 2);

        Response paused = api.post("/admin/triggers/ordinaut-windows.window-0/pause", "").expect(200);
        assertThat(paused.details()).containsEntry("state", "PAUSED").containsEntry("kind", "window");
        assertThat(((Number) paused.details().get("tasks_affected")).longValue()).isEqualTo(tasksInGroup(0));
        Thread.sleep(3_500);   // what the last fire enqueued ahead (the 2 s horizon) comes due
        long a0 = runs(a);
        long b0 = runs(b);
        Thread.sleep(3_000);
        assertThat(runs(a)).as("group 0 paused").isEqualTo(a0);
        assertThat(runs(b)).as("group 1 fires on").isGreaterThan(b0);

        api.post("/admin/triggers/window-0/resume", "").expect(200);
        Eventually.until("group 0 fires again", () -> runs(a) >= a0 + 2);
        api.delete("/tasks/" + a).expect(200);
        api.delete("/tasks/" + b).expect(200);
    }

    @Test
    void repair_recreates_a_missing_window_trigger_and_fixes_schedules_no_window_would_fire() throws Exception {
        String a = task("no next_fire_at", 5);
        String b = task("missing window", 6);
        String c = task("bad bucket", 7);
        bucket(a, 0);
        bucket(b, 1);
        Eventually.until("all fire", () -> runs(a) >= 1 && runs(b) >= 1 && runs(c) >= 1);
        // given window-1's trigger deleted, a schedule without next_fire_at and one in a bucket no group takes
        scheduler.unscheduleJob(new TriggerKey("window-1", "ordinaut-windows"));
        jdbc.sql("UPDATE schedule SET next_fire_at = NULL WHERE id = :id").param("id", scheduleOf(a)).update();
        jdbc.sql("UPDATE schedule SET fire_bucket = -3 WHERE id = :id").param("id", scheduleOf(c)).update();

        Map<String, Object> dry = api.post("/admin/triggers/repair?dry_run=true", "").expect(200).map();
        assertThat(dry.get("firing_mode")).isEqualTo("windows");
        List<Map<String, Object>> problems = castList(dry.get("problems"));
        assertThat(problems).extracting(p -> p.get("problem"))
                .containsExactlyInAnyOrder("window_trigger_missing", "schedule_without_next_fire_at", "schedule_bucket_invalid");
        assertThat(problems).allSatisfy(p -> assertThat(p.get("result")).isEqualTo("would_fix"));
        assertThat(problems).anySatisfy(p -> {
            assertThat(p.get("problem")).isEqualTo("window_trigger_missing");
            assertThat(p.get("trigger_key")).isEqualTo("ordinaut-windows.window-1");
            assertThat(((Number) p.get("tasks")).longValue()).isEqualTo(tasksInGroup(1));
        });
        assertThat(scheduler.checkExists(new TriggerKey("window-1", "ordinaut-windows"))).as("a dry run changes nothing").isFalse();
        Thread.sleep(3_500);
        long a0 = runs(a);
        long b0 = runs(b);
        long c0 = runs(c);

        Map<String, Object> fixed = api.post("/admin/triggers/repair", "").expect(200).map();
        assertThat(fixed.get("fixed")).isEqualTo(3);
        assertThat(scheduler.checkExists(new TriggerKey("window-1", "ordinaut-windows"))).isTrue();
        Eventually.until("every task fires again", () -> runs(a) > a0 && runs(b) > b0 && runs(c) > c0);
        assertThat(api.post("/admin/triggers/repair?dry_run=true", "").expect(200).get("found")).isEqualTo(0);
        for (String id : new String[] {a, b, c}) {
            api.delete("/tasks/" + id).expect(200);
        }
    }
}
