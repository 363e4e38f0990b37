package io.ordinaut.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.support.Api;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.Nodes;

/**
 * In windows mode a task joining a new shared schedule has its occurrences inside the horizon enqueued at
 * once — but only while the window triggers would fire them: while the cluster is in standby or the
 * schedule's window trigger is paused, creating, batch-creating, changing or resuming a task enqueues
 * nothing, and the window fires enqueue its occurrences (under the misfire rule) once the cluster is
 * started or the trigger resumed. And an operator's pause of a window trigger survives a restart that
 * changes {@code ordinaut.trigger.window}. Nodes without executors, so every run enqueued stays queued.
 */
@Tag("cluster")
class HeldFiringJoinTest {

    static final Map<String, Object> WINDOWS = StartupWindowPassTest.WINDOWS;

    /** The task's runs waiting in the queue (no executor takes them; dropped ones move to the history). */
    static List<Instant> queued(JdbcClient jdbc, String taskId) {
        return jdbc.sql("SELECT scheduled_for FROM due_work WHERE task_id = :id ORDER BY 1")
                .param("id", UUID.fromString(taskId)).query(Timestamp.class).list().stream().map(Timestamp::toInstant).toList();
    }

    static int group(JdbcClient jdbc, String taskId) {
        return jdbc.sql("SELECT s.fire_bucket % 2 FROM task t JOIN schedule s ON s.id = t.schedule_id WHERE t.id = :id")
                .param("id", UUID.fromString(taskId)).query(Integer.class).single();
    }

    @SafeVarargs
    static List<String> batch(Api api, Map<String, Object>... tasks) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tasks", List.of(tasks));
        List<String> ids = new ArrayList<>();
        for (Object result : (List<?>) api.post("/tasks/batch", body).expect(200).get("results")) {
            Map<?, ?> r = (Map<?, ?>) result;
            assertThat(r.get("status")).as("batch item %s", r).isEqualTo(201);
            ids.add((String) ((Map<?, ?>) r.get("task")).get("id"));
        }
        return ids;
    }

    @Test
    void tasks_created_changed_or_resumed_while_the_cluster_is_in_standby_are_enqueued_only_once_it_starts() throws Exception {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext a = nodes.start("held-standby", WINDOWS);
            Api api = Nodes.api(a);
            JdbcClient jdbc = Nodes.jdbc(a);
            String changed = api.post("/tasks", AdminApiTest.daily("changed during standby", 3)).expect(201).string("id");
            String resumed = api.post("/tasks", AdminApiTest.daily("resumed during standby", 4)).expect(201).string("id");
            api.post("/tasks/" + resumed + "/pause", "").expect(200);

            // given the cluster in standby
            api.post("/admin/scheduler/standby?cluster=true", "").expect(200);

            // when tasks are created (alone and in a batch), changed to a secondly schedule and resumed on one
            List<String> tasks = new ArrayList<>();
            tasks.add(api.post("/tasks", AdminApiTest.secondly("created during standby", 1)).expect(201).string("id"));
            tasks.addAll(batch(api, AdminApiTest.secondly("batch during standby a", 2), AdminApiTest.secondly("batch during standby b", 5)));
            api.put("/tasks/" + changed, Map.of("schedule_kind", "rrule", "schedule_expr", "FREQ=SECONDLY;INTERVAL=3")).expect(200);
            tasks.add(changed);
            api.put("/tasks/" + resumed, Map.of("schedule_kind", "rrule", "schedule_expr", "FREQ=SECONDLY;INTERVAL=4")).expect(200);
            api.post("/tasks/" + resumed + "/resume", "").expect(200);
            tasks.add(resumed);

            // then none of them has a run enqueued, then or while the standby lasts
            for (String task : tasks) {
                assertThat(queued(jdbc, task)).as("runs of task %s right after its change in standby", task).isEmpty();
            }
            // (5 s: so of the occurrences due meanwhile, all but one are more than the 2 s outage threshold old
            // at the first fire after the start, whatever the interval here)
            Thread.sleep(5_000);
            for (String task : tasks) {
                assertThat(queued(jdbc, task)).as("runs of task %s while the cluster stays in standby", task).isEmpty();
            }

            // and once the cluster starts, the window fires enqueue them: each occurrence once, and those due
            // during the standby (more than the 2 s outage threshold ago) under the misfire rule — one catch-up
            Instant started = Instant.now();
            api.post("/admin/scheduler/start?cluster=true", "").expect(200);
            for (String task : tasks) {
                Eventually.until("task " + task + " fires after the start",
                        () -> queued(jdbc, task).stream().anyMatch(at -> at.isAfter(started)));
            }
            for (String task : tasks) {
                List<Instant> runs = queued(jdbc, task);
                assertThat(runs).as("runs of task %s", task).doesNotHaveDuplicates();
                assertThat(runs.stream().filter(at -> at.isBefore(started)).toList())
                        .as("runs of task %s for occurrences due during the standby: the catch-up at most", task).hasSizeLessThanOrEqualTo(1);
            }
            Eventually.until("the standby's occurrences of the secondly task recorded coalesced",
                    () -> !StartupWindowPassTest.misfires(api, tasks.get(0)).isEmpty());
            assertThat(StartupWindowPassTest.misfires(api, tasks.get(0)).get(0).get("outcome")).isEqualTo("coalesced");
        }
    }

    @Test
    void tasks_created_while_their_window_trigger_is_paused_are_enqueued_only_once_it_is_resumed() throws Exception {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext a = nodes.start("held-paused", WINDOWS);
            Api api = Nodes.api(a);
            JdbcClient jdbc = Nodes.jdbc(a);

            // given window-0 paused (window-1 fires on)
            api.post("/admin/triggers/window-0/pause", "").expect(200);

            // when tasks on new schedules are created, alone and in a batch (each schedule lands in a random group)
            List<String> tasks = new ArrayList<>();
            tasks.addAll(batch(api, AdminApiTest.secondly("batch while paused a", 5), AdminApiTest.secondly("batch while paused b", 6)));
            Map<String, Integer> groups = new HashMap<>();
            tasks.forEach(t -> groups.put(t, group(jdbc, t)));
            // at least four alone, and on until both groups have a task (so the test cannot pass by a draw)
            for (int i = 1; i <= 4 || !groups.containsValue(0) || !groups.containsValue(1); i++) {
                assertThat(i).as("new schedules landing in both window groups").isLessThanOrEqualTo(40);
                Map<String, Object> body = new HashMap<>(AdminApiTest.secondly("created while paused " + i, 1 + (i - 1) % 4));
                body.put("misfire_grace_seconds", 3600 + i); // a schedule of its own: tasks share one only with the same grace
                String task = api.post("/tasks", body).expect(201).string("id");
                tasks.add(task);
                groups.put(task, group(jdbc, task));
            }

            // then those of the paused group have nothing enqueued, while the others' runs are enqueued ahead at once
            for (String task : tasks) {
                if (groups.get(task) == 0) {
                    assertThat(queued(jdbc, task)).as("runs of task %s in the paused group", task).isEmpty();
                }
            }
            for (String task : tasks) {
                if (groups.get(task) == 1) {
                    Eventually.until("task " + task + " of the live group enqueued", () -> !queued(jdbc, task).isEmpty());
                }
            }
            Thread.sleep(3_000);
            for (String task : tasks) {
                if (groups.get(task) == 0) {
                    assertThat(queued(jdbc, task)).as("runs of task %s while its group stays paused", task).isEmpty();
                }
            }

            // and once the trigger is resumed, its group's window fires enqueue them
            Instant resumed = Instant.now();
            api.post("/admin/triggers/window-0/resume", "").expect(200);
            for (String task : tasks) {
                Eventually.until("task " + task + " fires after the resume",
                        () -> queued(jdbc, task).stream().anyMatch(at -> at.isAfter(resumed)));
                List<Instant> runs = queued(jdbc, task);
                assertThat(runs).as("runs of task %s", task).doesNotHaveDuplicates();
                if (groups.get(task) == 0) {
                    assertThat(runs.stream().filter(at -> at.isBefore(resumed)).toList())
                            .as("runs of task %s for occurrences due while paused: the catch-up at most", task).hasSizeLessThanOrEqualTo(1);
                }
            }
        }
    }

    @Test
    void a_restart_with_another_window_keeps_an_operators_pause_of_a_window_trigger() throws Exception {
        try (Nodes nodes = Nodes.onFreshDatabase()) {
            ConfigurableApplicationContext a = nodes.start("window-change-a", WINDOWS);
            Api apiA = Nodes.api(a);
            apiA.post("/admin/triggers/window-0/pause", "").expect(200);
            nodes.stop(a);

            // when the node starts again with another window, so the window triggers are replaced
            Map<String, Object> longer = new HashMap<>(WINDOWS);
            longer.put("ordinaut.trigger.window", "2s");
            ConfigurableApplicationContext b = nodes.start("window-change-b", longer);
            Api apiB = Nodes.api(b);

            // then they fire every 2 s, and window-0 is still paused while window-1 is not
            Map<String, Object> paused = apiB.get("/admin/triggers/window-0").expect(200).map();
            assertThat(paused.get("state")).isEqualTo("PAUSED");
            assertThat(apiB.get("/admin/triggers/window-1").expect(200).get("state")).isNotEqualTo("PAUSED");
            List<?> times = (List<?>) paused.get("next_fire_times");
            assertThat(times).hasSizeGreaterThanOrEqualTo(2);
            assertThat(Instant.parse((String) times.get(1)).toEpochMilli() - Instant.parse((String) times.get(0)).toEpochMilli())
                    .isEqualTo(2_000);
        }
    }
}
