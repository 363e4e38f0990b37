package io.ordinaut.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;

/**
 * The admin endpoints on one node in per-schedule mode (one Quartz trigger per shared schedule), without
 * executors so every fire's runs stay in the queue and can be counted: shapes, scope, trigger pause and
 * resume seen in what fires, and the repair of a deleted and an orphaned trigger.
 */
@TestPropertySource(properties = {"ordinaut.trigger.mode=per-schedule", "ordinaut.node.roles=api,scheduler"})
class AdminApiTest extends NodeTestSupport {

    @Autowired
    Scheduler scheduler;

    /** Each test its own interval, so no two tests' tasks share a schedule (and a trigger). */
    static Map<String, Object> secondly(String title, int interval) {
        return Map.of("title", title, "schedule_kind", "rrule", "schedule_expr", "FREQ=SECONDLY;INTERVAL=" + interval,
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
    }

    static Map<String, Object> daily(String title, int hour) {
        return Map.of("title", title, "schedule_kind", "cron", "schedule_expr", "0 " + hour + " * * *",
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
    }

    long runs(String taskId) {
        return jdbc.sql("SELECT (SELECT count(*) FROM due_work WHERE task_id = :id) + (SELECT count(*) FROM task_run WHERE task_id = :id)")
                .param("id", UUID.fromString(taskId)).query(Long.class).single();
    }

    String scheduleOf(String taskId) {
        return jdbc.sql("SELECT CAST(schedule_id AS text) FROM task WHERE id = :id").param("id", UUID.fromString(taskId))
                .query(String.class).single();
    }

    @Test
    void scheduler_shows_this_node_and_every_quartz_instance_of_the_cluster() {
        Map<String, Object> body = api.get("/admin/scheduler").expect(200).map();

        assertThat(body).containsKeys("instance_id", "state", "thread_pool_size", "busy_threads", "jobs_executed",
                "misfire_threshold_ms", "cluster", "node", "cluster_standby");
        assertThat(body.get("state")).isEqualTo("started");
        assertThat(body.get("thread_pool_size")).isEqualTo(4);
        assertThat(body.get("misfire_threshold_ms")).isEqualTo(5000);
        assertThat(body.get("firing_mode")).isEqualTo("per-schedule");
        String instance = (String) body.get("instance_id");
        Eventually.until("this node checked in", () -> api.get("/admin/scheduler").map(), b -> !((List<?>) b.get("cluster")).isEmpty());
        List<Map<String, Object>> cluster = castList(api.get("/admin/scheduler").get("cluster"));
        assertThat(cluster).anySatisfy(i -> {
            assertThat(i.get("instance_id")).isEqualTo(instance);
            assertThat(i.get("alive")).isEqualTo(true);
            assertThat(i.get("this_node")).isEqualTo(true);
            assertThat(i.get("checkin_interval_ms")).isEqualTo(5000);
            assertThat(i.get("last_checkin")).isNotNull();
        });
        @SuppressWarnings("unchecked")
        Map<String, Object> node = (Map<String, Object>) body.get("node");
        assertThat(node.get("roles")).isEqualTo(List.of("api", "scheduler"));
        assertThat(node.get("executor_threads")).isEqualTo(0);
        assertThat(node).containsKeys("node_id", "in_flight", "version");
    }

    @Test
    void every_admin_endpoint_answers_403_to_an_agent_without_the_admin_scope() {
        String agent = api.post("/agents", Map.of("name", "reader-" + UUID.randomUUID(), "scopes", List.of("tasks:read", "runs:read")))
                .expect(201).string("id");
        String secret = api.post("/agents/" + agent + "/credentials", "{}").expect(200).string("agent_secret");
        String token = api.as(null).post("/agents/auth/token", Map.of("agent_id", agent, "agent_secret", secret)).expect(200)
                .string("access_token");
        Api reader = api.as(token);
        String[][] routes = {
                {"GET", "/admin/scheduler"}, {"POST", "/admin/scheduler/standby"}, {"POST", "/admin/scheduler/start?cluster=true"},
                {"GET", "/admin/triggers"}, {"GET", "/admin/triggers/ordinaut-windows.window-0"},
                {"POST", "/admin/triggers/window-0/pause"}, {"POST", "/admin/triggers/window-0/resume"},
                {"POST", "/admin/triggers/repair?dry_run=true"}, {"GET", "/admin/queue"}, {"GET", "/admin/misfires"}};
        for (String[] route : routes) {
            Response r = reader.method(route[0], route[1]);
            assertThat(r.status()).as("%s %s", route[0], route[1]).isEqualTo(403);
            assertThat(r.get("error")).isEqualTo("Forbidden");
            assertThat(api.as(null).method(route[0], route[1]).status()).as("%s %s without a token", route[0], route[1]).isEqualTo(401);
        }
        assertThat(api.get("/admin/scheduler").expect(200).get("state")).as("nothing was put in standby").isEqualTo("started");
    }

    @Test
    void triggers_list_the_shared_schedule_its_tasks_and_filter_by_task_schedule_and_state() {
        String a = api.post("/tasks", daily("a", 3)).expect(201).string("id");
        String b = api.post("/tasks", daily("b", 3)).expect(201).string("id");
        String c = api.post("/tasks", daily("c", 4)).expect(201).string("id");
        String shared = scheduleOf(a);
        assertThat(scheduleOf(b)).isEqualTo(shared);

        Response bySchedule = api.get("/admin/triggers?schedule_id=" + shared).expect(200);
        assertThat(bySchedule.map()).containsKeys("items", "total", "limit", "offset", "has_more");
        assertThat(bySchedule.get("total")).isEqualTo(1);
        Map<String, Object> trigger = bySchedule.items().get(0);
        assertThat(trigger.get("key")).isEqualTo("ordinaut." + shared);
        assertThat(trigger.get("kind")).isEqualTo("schedule");
        assertThat(trigger.get("tasks")).isEqualTo(2);
        assertThat(trigger.get("state")).isIn("WAITING", "ACQUIRED");
        assertThat(trigger.get("misfire_instruction")).isEqualTo("smart_policy");
        assertThat(trigger.get("next_fire_time")).isNotNull();
        assertThat(trigger).containsKeys("previous_fire_time", "held_by", "schedule");
        assertThat(castMap(trigger.get("schedule"))).containsEntry("schedule_expr", "0 3 * * *").containsEntry("id", shared);

        assertThat(api.get("/admin/triggers?task_id=" + b).expect(200).items()).extracting(i -> i.get("key"))
                .containsExactly("ordinaut." + shared);
        assertThat(api.get("/admin/triggers?task_id=" + c).expect(200).items()).extracting(i -> i.get("key"))
                .containsExactly("ordinaut." + scheduleOf(c));
        assertThat(api.get("/admin/triggers?task_id=" + UUID.randomUUID()).expect(200).get("total")).isEqualTo(0);
        assertThat((Integer) api.get("/admin/triggers?limit=1").expect(200).get("total")).isGreaterThanOrEqualTo(2);
        assertThat(api.get("/admin/triggers?limit=1").items()).hasSize(1);
        assertThat(api.get("/admin/triggers?state=error").expect(200).get("total")).isEqualTo(0);

        Map<String, Object> one = api.get("/admin/triggers/ordinaut." + shared).expect(200).map();
        @SuppressWarnings("unchecked")
        List<String> next = (List<String>) one.get("next_fire_times");
        assertThat(next).hasSize(10);
        assertThat(Instant.parse(next.get(1))).isEqualTo(Instant.parse(next.get(0)).plus(Duration.ofDays(1)));
        assertThat(api.get("/admin/triggers/" + shared).expect(200).get("key")).as("the bare schedule id").isEqualTo("ordinaut." + shared);

        assertThat(api.get("/admin/triggers?state=SLEEPING").expect(400).details()).containsEntry("field", "state");
        assertThat(api.get("/admin/triggers?task_id=nope").expect(400).details()).containsEntry("field", "task_id");
        assertThat(api.get("/admin/triggers?limit=0").expect(400).details()).containsEntry("field", "limit");
        assertThat(api.get("/admin/triggers/ordinaut." + UUID.randomUUID()).expect(404).get("error")).isEqualTo("NotFound");
        assertThat(api.get("/admin/triggers/nonsense").expect(404).get("error")).isEqualTo("NotFound");
        assertThat(api.post("/admin/triggers/ordinaut." + UUID.randomUUID() + "/pause", "").expect(404).get("error")).isEqualTo("NotFound");
    }

    @Test
    void boolean_query_flags_take_only_true_or_false_and_anything_else_is_a_400_naming_the_flag() {
        try {
            for (String value : List.of("1", "TRUE", "True", "yes", "")) {
                for (String verb : List.of("standby", "start")) {
                    Response refused = api.post("/admin/scheduler/" + verb + "?cluster=" + value, "").expect(400);
                    assertThat(refused.details()).as("cluster=%s", value).containsEntry("field", "cluster");
                    assertThat(refused.string("message")).contains("cluster must be true or false");
                }
                assertThat(api.post("/admin/triggers/repair?dry_run=" + value, "").expect(400).details())
                        .as("dry_run=%s", value).containsEntry("field", "dry_run");
                assertThat(api.get("/runs?success=" + value).expect(400).details()).as("success=%s", value)
                        .containsEntry("field", "success");
            }
            assertThat(api.get("/admin/scheduler").get("standby_reason")).as("no refused call put anything in standby").isNull();
            api.get("/runs?success=false").expect(200);
            api.post("/admin/triggers/repair?dry_run=true", "").expect(200);
        } finally {
            // without the strict parse a refused call may have stopped firing; later tests need it back
            api.post("/admin/scheduler/start?cluster=true", "");
            api.post("/admin/scheduler/start", "");
        }
    }

    @Test
    void a_query_parameter_given_empty_or_twice_is_a_400_naming_it_rather_than_a_wider_list() {
        // each of these once read as "no filter" (empty) or as its first value (twice)
        for (String path : List.of("/tasks?status=", "/tasks?schedule_kind=", "/tasks?created_by=", "/tasks?limit=",
                "/runs?task_id=", "/runs?offset=", "/events?topic=", "/audit?action=", "/agents?name_filter=",
                "/tools?transport=", "/admin/triggers?state=", "/admin/misfires?since=", "/workers?state=")) {
            String field = path.substring(path.indexOf('?') + 1, path.length() - 1);
            Response refused = api.get(path).expect(400);
            assertThat(refused.details()).as(path).containsEntry("field", field);
            assertThat(refused.string("message")).as(path).isEqualTo(field + " is empty; give it a value or leave it out");
        }
        for (String path : List.of("/tasks?status=active&status=paused", "/runs?limit=5&limit=6",
                "/tasks?status=active&status=active", "/admin/triggers?state=WAITING&state=PAUSED")) {
            String field = path.substring(path.indexOf('?') + 1, path.indexOf('='));
            Response refused = api.get(path).expect(400);
            assertThat(refused.details()).as(path).containsEntry("field", field);
            assertThat(refused.string("message")).as(path).isEqualTo(field + " is given 2 times; give it once");
        }
        // parameters the route does not read are ignored, as the original API does (clients and proxies add their own)
        api.get("/tasks?status=active&_=1&_=2&unknown=").expect(200);
    }

    @Test
    void pausing_a_shared_trigger_stops_every_task_on_it_and_resuming_fires_again() throws Exception {
        String a = api.post("/tasks", secondly("pause a", 1)).expect(201).string("id");
        String b = api.post("/tasks", secondly("pause b", 1)).expect(201).string("id");
        String key = "ordinaut." + scheduleOf(a);
        Eventually.until("both fire", () -> runs(a) >= 2 && runs(b) >= 2);

        Response paused = api.post("/admin/triggers/" + key + "/pause", "").expect(200);
        assertThat(paused.get("success")).isEqualTo(true);
        assertThat(paused.details()).containsEntry("tasks_affected", 2).containsEntry("state", "PAUSED");
        assertThat(api.get("/admin/triggers?state=PAUSED").items()).extracting(i -> i.get("key")).contains(key);
        Thread.sleep(1_500);   // a fire already running when the pause came finishes
        long a0 = runs(a);
        long b0 = runs(b);
        Thread.sleep(3_000);
        assertThat(runs(a)).as("no fire while paused").isEqualTo(a0);
        assertThat(runs(b)).as("no fire while paused").isEqualTo(b0);

        Response resumed = api.post("/admin/triggers/" + key + "/resume", "").expect(200);
        assertThat(resumed.details()).containsEntry("tasks_affected", 2);
        assertThat(resumed.details().get("state")).isIn("WAITING", "ACQUIRED");
        Eventually.until("both fire again", () -> runs(a) >= a0 + 2 && runs(b) >= b0 + 2);
        cancel(a, b);
    }

    @Test
    void repair_recreates_a_deleted_trigger_resets_one_in_error_and_removes_an_orphan_after_a_dry_run() throws Exception {
        String task = api.post("/tasks", secondly("broken", 2)).expect(201).string("id");
        String erring = api.post("/tasks", secondly("in error", 3)).expect(201).string("id");
        String schedule = scheduleOf(task);
        Eventually.until("fires", () -> runs(task) >= 1 && runs(erring) >= 1);
        // and one trigger that Quartz would have put in ERROR (its job could not run)
        jdbc.sql("UPDATE qrtz_triggers SET trigger_state = 'ERROR' WHERE trigger_name = :name").param("name", scheduleOf(erring)).update();
        // given the shared schedule's trigger deleted, and a trigger whose schedule never existed
        scheduler.unscheduleJob(new TriggerKey(schedule, "ordinaut"));
        String orphan = UUID.randomUUID().toString();
        Trigger stray = TriggerBuilder.newTrigger().withIdentity(orphan, "ordinaut").forJob("enqueue-occurrence", "ordinaut")
                .startAt(java.util.Date.from(Instant.now().plus(Duration.ofDays(1))))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule()).build();
        scheduler.scheduleJob(stray);
        Thread.sleep(2_500);
        long stopped = runs(task);
        long stoppedErring = runs(erring);
        Thread.sleep(4_000);
        assertThat(runs(task)).as("no trigger, no fire").isEqualTo(stopped);
        assertThat(runs(erring)).as("a trigger in ERROR does not fire").isEqualTo(stoppedErring);

        Map<String, Object> dry = api.post("/admin/triggers/repair?dry_run=true", "").expect(200).map();
        assertThat(dry.get("dry_run")).isEqualTo(true);
        assertThat(dry.get("found")).isEqualTo(3);
        List<Map<String, Object>> problems = castList(dry.get("problems"));
        assertThat(problems).anySatisfy(p -> {
            assertThat(p.get("problem")).isEqualTo("schedule_without_trigger");
            assertThat(p.get("schedule_id")).isEqualTo(schedule);
            assertThat(p.get("tasks")).isEqualTo(1);
            assertThat(p.get("task_ids")).isEqualTo(List.of(task));
            assertThat(p.get("result")).isEqualTo("would_fix");
        });
        assertThat(problems).anySatisfy(p -> {
            assertThat(p.get("problem")).isEqualTo("trigger_without_schedule");
            assertThat(p.get("trigger_key")).isEqualTo("ordinaut." + orphan);
        });
        assertThat(problems).anySatisfy(p -> {
            assertThat(p.get("problem")).isEqualTo("trigger_in_error");
            assertThat(p.get("trigger_key")).isEqualTo("ordinaut." + scheduleOf(erring));
            assertThat(p.get("tasks")).isEqualTo(1);
        });
        assertThat(scheduler.checkExists(new TriggerKey(schedule, "ordinaut"))).as("a dry run changes nothing").isFalse();
        assertThat(scheduler.checkExists(new TriggerKey(orphan, "ordinaut"))).isTrue();

        Map<String, Object> fixed = api.post("/admin/triggers/repair", "").expect(200).map();
        assertThat(fixed.get("fixed")).isEqualTo(3);
        assertThat(castList(fixed.get("problems"))).allSatisfy(p -> assertThat(p.get("result")).isEqualTo("fixed"));
        assertThat(scheduler.checkExists(new TriggerKey(schedule, "ordinaut"))).isTrue();
        assertThat(scheduler.checkExists(new TriggerKey(orphan, "ordinaut"))).isFalse();
        Eventually.until("the tasks fire again", () -> runs(task) >= stopped + 2 && runs(erring) >= stoppedErring + 2);
        assertThat(api.post("/admin/triggers/repair?dry_run=true", "").expect(200).get("found")).isEqualTo(0);
        cancel(task, erring);
    }

    @Test
    void queue_shows_depth_by_priority_and_status_oldest_wait_leases_dead_letters_and_saturated_keys() {
        String task = api.post("/tasks", daily("queued", 5)).expect(201).string("id");
        UUID taskId = UUID.fromString(task);
        // only this test's runs in the queue (the firing tests cancel their tasks, which drops their queued runs)
        jdbc.sql("DELETE FROM due_work").update();
        Instant now = Instant.now();
        insertRun(taskId, now.minusSeconds(30), 3, null, null);
        insertRun(taskId, now.minusSeconds(5), 7, null, null);
        insertRun(taskId, now.plusSeconds(3600), 7, null, null);
        insertRun(taskId, now.minusSeconds(10), 3, "node-x", "crm");
        // whose holder last wrote running, an hour ago: lost
        jdbc.sql("""
                INSERT INTO worker_heartbeat (node_id, host, pid, roles, started_at, last_seen, in_flight, processed, state)
                VALUES ('node-x', 'gone-host', 1, 'executor', now() - interval '2 hours', now() - interval '1 hour', 1, 5, 'running')
                """).update();
        jdbc.sql("INSERT INTO concurrency_slot (key, running) VALUES ('crm', 1) ON CONFLICT (key) DO UPDATE SET running = 1").update();
        insertRun(taskId, now.minusSeconds(2), 3, null, "crm");
        jdbc.sql("INSERT INTO task_run (id, run_id, task_id, scheduled_for, trigger, attempt, status, created_at) "
                + "VALUES (:id, :id, :task, now(), 'manual', 1, 'dead', now())").param("id", UUID.randomUUID()).param("task", taskId).update();

        Map<String, Object> q = api.get("/admin/queue").expect(200).map();

        assertThat(q.get("depth")).isEqualTo(5);
        assertThat(castMap(q.get("by_status"))).containsEntry("due", 3).containsEntry("waiting", 1).containsEntry("running", 1);
        assertThat(castList(q.get("by_priority"))).anySatisfy(p -> {
            assertThat(p.get("priority")).isEqualTo(3);
            assertThat(p.get("due")).isEqualTo(2);
            assertThat(p.get("running")).isEqualTo(1);
        });
        assertThat(((Number) q.get("oldest_waiting_age_seconds")).doubleValue()).isBetween(29.0, 120.0);
        assertThat(castMap(q.get("oldest_waiting"))).containsEntry("task_id", task);
        assertThat(castList(q.get("leases_by_node"))).singleElement().satisfies(l -> {
            assertThat(l.get("node_id")).isEqualTo("node-x");
            assertThat(l.get("leases")).isEqualTo(1);
            assertThat(l.get("worker_state")).as("the holder's state as GET /workers shows it").isEqualTo("lost");
        });
        assertThat(api.get("/workers?state=lost").expect(200).items()).singleElement()
                .satisfies(w -> assertThat(w).containsEntry("node_id", "node-x").containsEntry("state", "lost"));
        assertThat(castMap(q.get("dead_letters"))).containsEntry("total", 1).containsEntry("last_24h", 1);
        assertThat(castList(q.get("concurrency_keys_at_limit"))).singleElement().satisfies(k -> {
            assertThat(k.get("key")).isEqualTo("crm");
            assertThat(k.get("running")).isEqualTo(1);
            assertThat(k.get("limit")).isEqualTo(1);
            assertThat(k.get("due")).isEqualTo(1);
        });
        jdbc.sql("DELETE FROM due_work WHERE task_id = :id").param("id", taskId).update();
        jdbc.sql("DELETE FROM worker_heartbeat WHERE node_id = 'node-x'").update();
    }

    @Test
    void misfires_list_the_ledger_filtered_by_task_and_since() {
        String a = api.post("/tasks", daily("missed a", 6)).expect(201).string("id");
        String b = api.post("/tasks", daily("missed b", 6)).expect(201).string("id");
        Instant t = Instant.parse("2026-01-01T06:00:00Z");
        jdbc.sql("INSERT INTO missed_occurrence (task_id, first_missed, last_missed, missed_count, caught_up_for, reason, recorded_at) VALUES "
                + "(:a, :t, :t, 1, NULL, 'older than misfire_grace_seconds', now() - interval '2 days'), "
                + "(:a, :t, :t2, 2, :t3, 'coalesced into the catch-up run', now()), "
                + "(:b, :t, :t, 1, NULL, 'older than misfire_grace_seconds', now())")
                .param("a", UUID.fromString(a)).param("b", UUID.fromString(b)).param("t", Timestamp.from(t))
                .param("t2", Timestamp.from(t.plusSeconds(86_400))).param("t3", Timestamp.from(t.plusSeconds(2 * 86_400))).update();

        Response all = api.get("/admin/misfires?task_id=" + a).expect(200);
        assertThat(all.get("total")).isEqualTo(2);
        Map<String, Object> newest = all.items().get(0);
        assertThat(newest.get("outcome")).isEqualTo("coalesced");
        assertThat(newest.get("missed_count")).isEqualTo(2);
        assertThat(newest.get("intended_at")).isEqualTo("2026-01-01T06:00:00Z");
        assertThat(newest).containsKeys("task_id", "reason", "recorded_at", "caught_up_for", "last_missed");
        assertThat(api.get("/admin/misfires?task_id=" + a + "&since=" + Instant.now().minusSeconds(3600)).expect(200).get("total"))
                .isEqualTo(1);
        assertThat((Integer) api.get("/admin/misfires").expect(200).get("total")).isGreaterThanOrEqualTo(3);
        assertThat(api.get("/admin/misfires?since=yesterday").expect(400).details()).containsEntry("field", "since");
    }

    private void cancel(String... tasks) {
        for (String id : tasks) {
            api.delete("/tasks/" + id).expect(200);
        }
    }

    private void insertRun(UUID taskId, Instant runAt, int priority, String lockedBy, String concurrencyKey) {
        jdbc.sql("""
                INSERT INTO due_work (id, task_id, scheduled_for, run_at, priority, trigger, queue_order, locked_by, locked_until,
                                      lease_token, started_at, concurrency_key, concurrency_limit)
                VALUES (:id, :task, :at, :at, :priority, 'manual', :at, CAST(:lockedBy AS text),
                        CASE WHEN CAST(:lockedBy AS text) IS NULL THEN NULL ELSE now() + interval '1 minute' END,
                        CASE WHEN CAST(:lockedBy AS text) IS NULL THEN NULL ELSE gen_random_uuid() END,
                        CASE WHEN CAST(:lockedBy AS text) IS NULL THEN NULL ELSE now() END, :key, 1)
                """).param("id", UUID.randomUUID()).param("task", taskId).param("at", Timestamp.from(runAt)).param("priority", priority)
                .param("lockedBy", lockedBy).param("key", concurrencyKey).update();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> castList(Object o) {
        return (List<Map<String, Object>>) o;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}
