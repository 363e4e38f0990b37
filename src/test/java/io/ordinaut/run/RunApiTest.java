package io.ordinaut.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;

/** The run history API on a real node: lifecycle of one run id, filters, stats, dead letters, commands, workers. */
class RunApiTest extends NodeTestSupport {

    static Map<String, Object> task(String title, Map<String, Object> extra) {
        Map<String, Object> t = new HashMap<>();
        t.put("title", title);
        t.put("schedule_kind", "cron");
        t.put("schedule_expr", "0 3 1 1 *");
        t.put("payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
        t.putAll(extra);
        return t;
    }

    @Test
    void a_run_now_id_resolves_through_the_runs_whole_life_and_shows_in_history_and_stats() throws Exception {
        // given a task with run policies
        Response created = api.post("/tasks", task("history", Map.of("overlap_policy", "queue", "run_timeout_seconds", 30,
                "concurrency_key", "reports", "concurrency_limit", 2))).expect(201);
        assertThat(created.get("overlap_policy")).isEqualTo("queue");
        assertThat(created.get("run_timeout_seconds")).isEqualTo(30);
        assertThat(created.get("concurrency_limit")).isEqualTo(2);
        String taskId = created.string("id");

        // when it is run now
        String runId = api.post("/tasks/" + taskId + "/run_now", "{}").expect(200).details().get("run_id").toString();

        // then the id resolves from the start to the end
        Response first = api.get("/runs/" + runId).expect(200);
        assertThat(first.get("run_id")).isEqualTo(runId);
        assertThat(first.get("status")).isIn("queued", "running", "succeeded");
        Map<String, Object> run = awaitStatus(runId, "succeeded");
        assertThat(run).containsEntry("task_id", taskId).containsEntry("trigger", "run_now").containsEntry("attempt", 1)
                .containsEntry("success", true);
        assertThat(run.get("duration_ms")).isNotNull();
        assertThat(run.get("lease_owner")).isNotNull();

        assertThat(api.get("/tasks/" + taskId + "/runs").expect(200).items()).extracting(r -> r.get("id")).containsExactly(runId);
        assertThat(api.get("/runs?task_id=" + taskId + "&status=succeeded&trigger=run_now").expect(200).items()).hasSize(1);
        assertThat(api.get("/runs?task_id=" + taskId + "&status=dead").expect(200).items()).isEmpty();
        assertThat(api.get("/runs?task_id=" + taskId + "&start_time=" + Instant.now().plusSeconds(60)).expect(200).items()).isEmpty();
        assertThat(api.get("/task/" + taskId + "/latest").expect(200).get("id")).isEqualTo(runId);
        assertThat(api.get("/runs/task/" + taskId + "/latest").expect(200).get("id")).isEqualTo(runId);

        Response stats = api.get("/task/" + taskId + "/stats?days=7").expect(200);
        assertThat(stats.map()).containsEntry("task_id", taskId).containsEntry("period_days", 7).containsEntry("total_runs", 1)
                .containsEntry("successful_runs", 1).containsEntry("failed_runs", 0).containsEntry("success_rate", 1.0)
                .containsKeys("avg_execution_time_seconds", "p50_execution_time_seconds", "p95_execution_time_seconds",
                        "last_run", "last_success", "last_failure", "last_error", "status_counts");
        Response summary = api.get("/stats/summary").expect(200);
        assertThat(summary.map()).containsEntry("period_days", 7).containsKeys("total_runs", "total_tasks_executed",
                "success_rate", "failure_rate", "runs_per_day", "p95_execution_time_seconds", "queue");
        assertThat(api.get("/runs/stats/summary?days=30").expect(200).get("period_days")).isEqualTo(30);
    }

    @Test
    @SuppressWarnings("unchecked")
    void dead_letters_are_listed_and_a_retry_runs_them_again_under_their_id() throws Exception {
        // given a dead run in the history
        String taskId = api.post("/tasks", task("dead letter", Map.of())).expect(201).string("id");
        UUID runId = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO task_run (id, run_id, task_id, scheduled_for, trigger, attempt, status, success, started_at,
                                      finished_at, error, output)
                VALUES (:id, :id, CAST(:task AS uuid), now(), 'schedule', 4, 'dead', false, now(), now(),
                        'crm.update: HTTP 503 (attempt 4 of 4; no retries left)',
                        CAST(:output AS jsonb))""")
                .param("id", runId).param("task", taskId)
                .param("output", """
                        {"steps": {"lookup": {"n": 1}}, "trace": [
                          {"id": "lookup", "uses": "noop.run", "status": "ok", "error": null},
                          {"id": "crm", "uses": "crm.update", "status": "failed", "error": "HTTP 503 from crm.internal"}]}""")
                .update();

        // then it is listed as dead, its error and its steps' errors shown only on request
        String hidden = "[Error details hidden - use include_errors=true]";
        for (String list : List.of("/runs?status=dead", "/tasks/" + taskId + "/runs?status=dead")) {
            Map<String, Object> listed = api.get(list).expect(200).items().get(0);
            assertThat(listed.get("id")).as(list).isEqualTo(runId.toString());
            assertThat(listed.get("error")).as(list).isEqualTo(hidden);
            assertThat(stepErrors(listed)).as(list).containsExactly(null, hidden);
            assertThat(listed.toString()).as(list).doesNotContain("crm.internal");
            assertThat((Map<String, Object>) ((Map<String, Object>) listed.get("output")).get("steps")).as(list)
                    .containsEntry("lookup", Map.of("n", 1));
            Map<String, Object> shown = api.get(list + "&include_errors=true").expect(200).items().get(0);
            assertThat(shown.get("error").toString()).as(list).contains("HTTP 503");
            assertThat(stepErrors(shown)).as(list).containsExactly(null, "HTTP 503 from crm.internal");
        }
        // one run, asked for by id, is shown whole
        Response one = api.get("/runs/" + runId).expect(200);
        assertThat(one.string("error")).contains("HTTP 503");
        assertThat(stepErrors(one.map())).containsExactly(null, "HTTP 503 from crm.internal");

        // when it is retried
        Response retried = api.post("/runs/" + runId + "/retry", "{}").expect(200);
        assertThat(retried.details()).containsEntry("status", "queued");

        // then it runs as attempt 5 under the same id, and is no longer a dead letter
        Map<String, Object> run = awaitStatus(runId.toString(), "succeeded");
        assertThat(run).containsEntry("attempt", 5).containsEntry("trigger", "retry");
        assertThat(api.get("/runs?status=dead").expect(200).items()).extracting(r -> r.get("id")).doesNotContain(runId.toString());
        api.post("/runs/" + runId + "/retry", "{}").expect(409);
        // and no count of dead letters holds its earlier attempt: it is a failed attempt that was retried
        assertThat(api.get("/runs?status=dead&task_id=" + taskId).expect(200).map()).containsEntry("total", 0);
        assertThat((Map<String, Object>) api.get("/task/" + taskId + "/stats").expect(200).get("status_counts"))
                .containsEntry("dead", 0).containsEntry("failed", 1).containsEntry("succeeded", 1);
        assertThat((Map<String, Object>) api.get("/admin/queue").expect(200).get("dead_letters")).containsEntry("total", 0);
    }

    @Test
    void a_retry_of_an_earlier_attempt_is_refused_naming_the_run_to_retry_in_message_and_details() {
        // given run X that failed as its attempt 2, and the row of its attempt 1, which failed and was retried
        String taskId = api.post("/tasks", task("went on", Map.of())).expect(201).string("id");
        UUID runId = UUID.randomUUID();
        UUID attemptId = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO task_run (id, run_id, task_id, scheduled_for, trigger, attempt, status, success, started_at,
                                      finished_at, error, created_at)
                VALUES (:attempt, :run, CAST(:task AS uuid), now(), 'schedule', 1, 'failed', false, now(), now(),
                        'crm.update: HTTP 503', now() - interval '1 minute'),
                       (:run, :run, CAST(:task AS uuid), now(), 'schedule', 2, 'failed', false, now(), now(),
                        'crm.update: HTTP 400 (not retryable)', now())""")
                .param("attempt", attemptId).param("run", runId).param("task", taskId)
                .update();

        // when the attempt's row is retried
        Response refused = api.post("/runs/" + attemptId + "/retry", "{}").expect(409);

        // then the 409 names run X, its status, and the attempt that was given
        assertThat(refused.string("message")).isEqualTo(attemptId + " is attempt 1 of run " + runId
                + ", which went on after it; retry run " + runId + " instead");
        assertThat(refused.details()).containsEntry("run_id", runId.toString()).containsEntry("attempt_id", attemptId.toString())
                .containsEntry("status", "failed");
        // and retrying run X itself works
        api.post("/runs/" + runId + "/retry", "{}").expect(200);
        Map<String, Object> again = api.post("/runs/" + attemptId + "/retry", "{}").expect(409).details();
        assertThat(again).containsEntry("run_id", runId.toString());
        assertThat(again.get("status")).as("run X's status, not its attempt's").isIn("queued", "running", "succeeded");
    }

    @Test
    @SuppressWarnings("unchecked")
    void a_running_run_shows_the_progress_its_node_last_wrote_as_its_output() {
        // given an agent's task with a run held by a node that wrote its progress with a lease renewal:
        // the first step ended (its error kept, as on_error continue does), the second is running
        Api.AgentApi owner = api.newAgent("tasks:create", "runs:read");
        Api.AgentApi stranger = api.newAgent("tasks:create", "runs:read");
        String taskId = owner.api().post("/tasks", task("long pipeline", Map.of())).expect(201).string("id");
        UUID runId = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO due_work (id, task_id, scheduled_for, run_at, queue_order, priority, trigger, attempt,
                                      locked_by, locked_until, lease_token, started_at, progress)
                VALUES (:id, CAST(:task AS uuid), now(), now(), now(), 5, 'run_now', 1, 'node-elsewhere',
                        now() + interval '1 hour', gen_random_uuid(), now(), CAST(:progress AS jsonb))""")
                .param("id", runId).param("task", taskId)
                .param("progress", """
                        {"output": {"steps": {"lookup": {"n": 1}}, "trace": [
                          {"id": "lookup", "uses": "crm.lookup", "status": "failed", "error": "HTTP 503 from crm.internal"}]},
                         "at": "step 2 of 3 'weather' (weather.get)"}""")
                .update();

        // when its owner asks for it by id, the run is running and its output holds the finished steps, errors in full
        Response one = owner.api().get("/runs/" + runId).expect(200);
        assertThat(one.get("status")).isEqualTo("running");
        assertThat(one.get("error")).isNull();
        assertThat((Map<String, Object>) ((Map<String, Object>) one.get("output")).get("steps")).containsEntry("lookup", Map.of("n", 1));
        assertThat(stepErrors(one.map())).containsExactly("HTTP 503 from crm.internal");
        assertThat(((Map<String, Object>) one.get("output")).keySet()).containsExactly("steps", "trace");

        // then the lists show it in the same shape, step errors hidden unless asked for
        String hidden = "[Error details hidden - use include_errors=true]";
        for (String list : List.of("/runs?status=running", "/tasks/" + taskId + "/runs")) {
            Map<String, Object> listed = owner.api().get(list).expect(200).items().get(0);
            assertThat(listed.get("id")).as(list).isEqualTo(runId.toString());
            assertThat(stepErrors(listed)).as(list).containsExactly(hidden);
            assertThat(listed.toString()).as(list).doesNotContain("crm.internal");
            Map<String, Object> shown = owner.api().get(list + (list.contains("?") ? "&" : "?") + "include_errors=true").expect(200).items().get(0);
            assertThat(stepErrors(shown)).as(list).containsExactly("HTTP 503 from crm.internal");
        }
        assertThat(api.get("/task/" + taskId + "/latest").expect(200).map().get("output")).isNotNull();

        // and another agent sees nothing of it
        stranger.api().get("/runs/" + runId).expect(404);
        assertThat(stranger.api().get("/runs?status=running").expect(200).items()).isEmpty();
        jdbc.sql("DELETE FROM due_work WHERE id = :id").param("id", runId).update();
    }

    @Test
    void run_now_within_the_dedupe_window_answers_409_with_the_existing_run() {
        String taskId = api.post("/tasks", task("dedupe", Map.of("dedupe_key", "nightly", "dedupe_window_seconds", 3600)))
                .expect(201).string("id");
        String first = api.post("/tasks/" + taskId + "/run_now", "{}").expect(200).details().get("run_id").toString();

        Response again = api.post("/tasks/" + taskId + "/run_now", "{}").expect(409);
        assertThat(again.details()).containsOnly(Map.entry("existing_run_id", first), Map.entry("run_id", first),
                Map.entry("task_id", taskId), Map.entry("dedupe_key", "nightly"));
    }

    @Test
    void bad_input_on_the_run_endpoints_is_a_clear_4xx() {
        String taskId = api.post("/tasks", task("bad input", Map.of())).expect(201).string("id");
        for (String query : List.of("status=finished", "trigger=cron", "success=maybe", "start_time=yesterday",
                "start_time=2026-01-02T00:00:00Z&end_time=2026-01-01T00:00:00Z", "limit=0", "limit=1001", "offset=-1",
                "task_id=nope", "include_errors=perhaps")) {
            Response r = api.get("/runs?" + query).expect(400);
            assertThat(r.get("error")).as(query).isEqualTo("ValidationError");
        }
        api.get("/task/" + taskId + "/stats?days=0").expect(400);
        api.get("/stats/summary?days=366").expect(400);
        api.get("/runs/" + UUID.randomUUID()).expect(404);
        api.get("/runs/not-a-uuid").expect(404);
        api.post("/runs/" + UUID.randomUUID() + "/retry", "{}").expect(404);
        api.post("/runs/" + UUID.randomUUID() + "/cancel", "{}").expect(404);
        api.get("/task/" + UUID.randomUUID() + "/latest").expect(404);
        api.get("/tasks/" + UUID.randomUUID() + "/runs").expect(404);
        assertThat(api.get("/task/" + taskId + "/latest").expect(200).body()).isEqualTo("null");
        api.post("/tasks", task("bad policy", Map.of("overlap_policy", "sometimes"))).expect(400);
        api.post("/tasks", task("bad limit", Map.of("concurrency_limit", 0))).expect(400);
        api.post("/tasks", task("bad timeout", Map.of("run_timeout_seconds", 0))).expect(400);

        // a finished run can be neither canceled nor retried
        String runId = api.post("/tasks/" + taskId + "/run_now", "{}").expect(200).details().get("run_id").toString();
        awaitStatus(runId, "succeeded");
        assertThat(api.post("/runs/" + runId + "/cancel", "{}").expect(409).details()).containsEntry("status", "succeeded");
        assertThat(api.post("/runs/" + runId + "/retry", "{}").expect(409).details()).containsEntry("status", "succeeded");
    }

    @Test
    void workers_lists_this_node_with_its_heartbeat() {
        Response workers = api.get("/workers").expect(200);
        assertThat(workers.map()).containsKeys("items", "total", "limit", "offset", "has_more");
        Map<String, Object> me = workers.items().get(0);
        assertThat(me).containsKeys("node_id", "host", "pid", "roles", "state", "started_at", "last_seen", "in_flight", "processed");
        assertThat(me.get("state")).isEqualTo("running");
        assertThat(me.get("roles").toString()).contains("executor");
        api.get("/workers?state=zombie").expect(400);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> stepErrors(Map<String, Object> run) {
        List<Map<String, Object>> trace = (List<Map<String, Object>>) ((Map<String, Object>) run.get("output")).get("trace");
        return trace.stream().map(step -> step.get("error")).toList();
    }

    private Map<String, Object> awaitStatus(String runId, String status) {
        return Eventually.until("run " + runId + " " + status, () -> api.get("/runs/" + runId).expect(200),
                r -> status.equals(r.get("status"))).map();
    }
}
