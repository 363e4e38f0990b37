package io.ordinaut.task;

import static io.ordinaut.task.TaskApiTest.task;
import static io.ordinaut.task.TaskApiTest.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;

/** POST /tasks/batch: one result per item, each item checked as POST /tasks checks a body; atomic batches. */
@TestPropertySource(properties = "ordinaut.security.burst-per-second=1000")
class TaskBatchTest extends NodeTestSupport {

    private long tasks() {
        return jdbc.sql("SELECT count(*) FROM task").query(Long.class).single();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> results(Response r) {
        return (List<Map<String, Object>>) r.get("results");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    private static Map<String, Object> batch(List<?> tasks, Boolean atomic) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tasks", tasks);
        if (atomic != null) {
            body.put("atomic", atomic);
        }
        return body;
    }

    record TestAgent(String id, String token) {
    }

    private TestAgent agent(String... scopes) {
        String id = api.post("/agents", Map.of("name", "batch-" + UUID.randomUUID().toString().substring(0, 8),
                "scopes", List.of(scopes))).expect(201).string("id");
        String secret = api.post("/agents/" + id + "/credentials", "{}").expect(200).string("agent_secret");
        String token = api.as(null).post("/agents/auth/token", Map.of("agent_id", id, "agent_secret", secret)).expect(200)
                .string("access_token");
        return new TestAgent(id, token);
    }

    @Test
    void a_mixed_batch_creates_the_valid_items_and_answers_one_result_per_item() {
        long before = tasks();
        List<Map<String, Object>> items = List.of(
                task("cron", "17 6 * * *"),
                with(task("cron", "17 6 * * *"), "title", null),
                with(task("cron", "17 6 * * *"), "title", "second on the same schedule"),
                task("interval", "every 5 minutes"),
                task("event", "orders.created"));

        Response r = api.post("/tasks/batch", batch(items, null)).expect(200);

        assertThat(r.get("created")).isEqualTo(3);
        assertThat(r.get("failed")).isEqualTo(2);
        List<Map<String, Object>> results = results(r);
        assertThat(results).extracting(x -> x.get("index")).containsExactly(0, 1, 2, 3, 4);
        assertThat(results).extracting(x -> x.get("status")).containsExactly(201, 400, 201, 400, 201);
        assertThat(map(results.get(1).get("error"))).containsEntry("error", "ValidationError");
        assertThat(map(map(results.get(1).get("error")).get("details"))).containsEntry("field", "title");
        assertThat(map(map(results.get(3).get("error")).get("details"))).containsEntry("field", "schedule_expr");
        assertThat(results.get(1)).doesNotContainKey("task");
        Map<String, Object> first = map(results.get(0).get("task"));
        assertThat(first.get("status")).isEqualTo("active");
        assertThat(first.get("next_run_at")).isNotNull();
        assertThat(map(results.get(4).get("task")).get("next_run_at")).isNull();
        assertThat(tasks()).isEqualTo(before + 3);
        api.get("/tasks/" + first.get("id")).expect(200);

        // The two tasks on one cron share one schedule row, as two single creates would.
        List<UUID> schedules = jdbc.sql("SELECT DISTINCT schedule_id FROM task WHERE id IN (:a, :b)")
                .param("a", UUID.fromString((String) first.get("id")))
                .param("b", UUID.fromString((String) map(results.get(2).get("task")).get("id")))
                .query(UUID.class).list();
        assertThat(schedules).hasSize(1).doesNotContainNull();
    }

    @Test
    void each_item_is_refused_exactly_as_post_tasks_refuses_the_same_body() {
        List<Map<String, Object>> bad = new ArrayList<>();
        for (Object[] row : TaskApiTest.badTasks()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> body = (Map<String, Object>) row[1];
            bad.add(body);
        }
        long before = tasks();

        List<Map<String, Object>> results = results(api.post("/tasks/batch", batch(bad, false)).expect(200));

        assertThat(results).hasSize(bad.size());
        for (int i = 0; i < bad.size(); i++) {
            Response single = api.post("/tasks", bad.get(i));
            Map<String, Object> item = results.get(i);
            assertThat(item.get("status")).as("item %d", i).isEqualTo(single.status());
            Map<String, Object> error = map(item.get("error"));
            assertThat(error.get("error")).as("item %d", i).isEqualTo(single.get("error"));
            assertThat(error.get("message")).as("item %d", i).isEqualTo(single.get("message"));
            assertThat(error.get("details")).as("item %d", i).isEqualTo(single.get("details"));
        }
        assertThat(tasks()).isEqualTo(before);
    }

    @Test
    void an_item_that_is_not_an_object_is_refused_by_its_index() {
        List<Object> items = new ArrayList<>();
        items.add(task("cron", "0 9 * * *"));
        items.add("not a task");
        items.add(null);

        List<Map<String, Object>> results = results(api.post("/tasks/batch", batch(items, false)).expect(200));

        assertThat(results).extracting(x -> x.get("status")).containsExactly(201, 400, 400);
        assertThat(map(map(results.get(1).get("error")).get("details"))).containsEntry("field", "tasks[1]");
        assertThat(map(map(results.get(2).get("error")).get("details"))).containsEntry("field", "tasks[2]");
    }

    @Test
    void a_batch_over_the_size_cap_or_empty_or_without_tasks_is_a_400_and_stores_nothing() {
        long before = tasks();

        Response over = api.post("/tasks/batch", batch(Collections.nCopies(1001, task("cron", "0 9 * * *")), false)).expect(400);
        assertThat(over.get("error")).isEqualTo("ValidationError");
        assertThat(over.details()).containsEntry("field", "tasks").containsEntry("max_items", 1000).containsEntry("items", 1001);
        assertThat(over.string("message")).contains("1000");

        assertThat(api.post("/tasks/batch", batch(List.of(), false)).expect(400).details()).containsEntry("field", "tasks");
        assertThat(api.post("/tasks/batch", Map.of("atomic", true)).expect(400).details()).containsEntry("field", "tasks");
        assertThat(api.post("/tasks/batch", Map.of("tasks", "all of them")).expect(400).details()).containsEntry("field", "tasks");
        assertThat(api.post("/tasks/batch", Map.of("tasks", List.of(), "extra", 1)).expect(400).details()).containsEntry("field", "extra");
        assertThat(api.post("/tasks/batch", Map.of("tasks", List.of(task("cron", "0 9 * * *")), "atomic", "yes")).expect(400)
                .details()).containsEntry("field", "atomic");
        assertThat(tasks()).isEqualTo(before);

        Response full = api.post("/tasks/batch", batch(Collections.nCopies(1000, task("cron", "0 9 * * *")), true)).expect(200);
        assertThat(full.get("created")).isEqualTo(1000);
        assertThat(tasks()).isEqualTo(before + 1000);
    }

    @Test
    void an_atomic_batch_with_an_invalid_item_stores_nothing_and_names_every_invalid_item() {
        long before = tasks();
        List<Map<String, Object>> items = List.of(
                task("cron", "0 9 * * *"),
                with(task("cron", "0 9 * * *"), "priority", 10),
                task("cron", "0 10 * * *"),
                with(task("cron", "0 9 * * *"), "timezone", "Mars/Olympus"));

        Response r = api.post("/tasks/batch", batch(items, true)).expect(400);

        assertThat(r.get("error")).isEqualTo("ValidationError");
        assertThat(r.string("message")).contains("2 of 4");
        assertThat(r.string("request_id")).isNotBlank();
        assertThat(r.details()).containsEntry("atomic", true).containsEntry("failed", 2);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> errors = (List<Map<String, Object>>) r.details().get("errors");
        assertThat(errors).extracting(e -> e.get("index")).containsExactly(1, 3);
        assertThat(errors).extracting(e -> e.get("status")).containsExactly(400, 400);
        assertThat(map(map(errors.get(0).get("error")).get("details"))).containsEntry("field", "priority");
        assertThat(map(map(errors.get(1).get("error")).get("details"))).containsEntry("field", "timezone");
        assertThat(tasks()).isEqualTo(before);
        assertThat(jdbc.sql("SELECT count(*) FROM schedule WHERE expr = '0 10 * * *'").query(Long.class).single()).isZero();

        Response ok = api.post("/tasks/batch", batch(List.of(items.get(0), items.get(2)), true)).expect(200);
        assertThat(results(ok)).extracting(x -> x.get("status")).containsExactly(201, 201);
        assertThat(tasks()).isEqualTo(before + 2);
    }

    @Test
    void the_batch_needs_tasks_create_and_non_admins_own_what_they_create() {
        TestAgent reader = agent("tasks:read");
        api.as(reader.token()).post("/tasks/batch", batch(List.of(task("cron", "0 9 * * *")), false)).expect(403);

        TestAgent creator = agent("tasks:create", "tasks:read");
        Api asCreator = api.as(creator.token());
        List<Map<String, Object>> items = List.of(
                with(task("cron", "0 9 * * *"), "created_by", "00000000-0000-0000-0000-000000000001"),
                with(task("cron", "0 9 * * *"), "dedupe_key", "global:nightly"),
                task("cron", "0 9 * * *"));

        List<Map<String, Object>> results = results(asCreator.post("/tasks/batch", batch(items, false)).expect(200));

        assertThat(results).extracting(x -> x.get("status")).containsExactly(201, 400, 201);
        assertThat(map(results.get(0).get("task")).get("created_by")).isEqualTo(creator.id());
        assertThat(map(results.get(2).get("task")).get("created_by")).isEqualTo(creator.id());
        assertThat(map(map(results.get(1).get("error")).get("details"))).containsEntry("field", "dedupe_key");
        assertThat(asCreator.get("/tasks").expect(200).items()).hasSize(2);

        // An admin may hand tasks to another agent, as on POST /tasks.
        Response forOther = api.post("/tasks/batch", batch(List.of(with(task("cron", "0 9 * * *"), "created_by", creator.id())), false));
        assertThat(map(results(forOther.expect(200)).get(0).get("task")).get("created_by")).isEqualTo(creator.id());
    }

    @Test
    void one_audit_row_records_the_batch_with_its_counts() {
        TestAgent creator = agent("tasks:create");
        List<Map<String, Object>> items = List.of(task("cron", "0 9 * * *"), task("cron", "0 9 * * *"),
                with(task("cron", "0 9 * * *"), "priority", 0));

        api.as(creator.token()).post("/tasks/batch", batch(items, false)).expect(200);
        api.as(creator.token()).post("/tasks/batch", batch(items, true)).expect(400);

        List<Map<String, Object>> rows = api.get("/audit?actor=" + creator.id()).expect(200).items().stream()
                .filter(a -> a.get("action").toString().startsWith("POST /tasks")).toList();
        assertThat(rows).as("one row per batch, none per item").hasSize(2);
        assertThat(rows).extracting(a -> a.get("action")).containsOnly("POST /tasks/batch");
        Map<String, Object> mixed = rows.stream().filter(a -> Integer.valueOf(200).equals(a.get("status"))).findFirst().orElseThrow();
        assertThat(map(mixed.get("details"))).containsEntry("items", 3).containsEntry("created", 2).containsEntry("failed", 1)
                .containsEntry("atomic", false);
        Map<String, Object> refused = rows.stream().filter(a -> Integer.valueOf(400).equals(a.get("status"))).findFirst().orElseThrow();
        assertThat(map(refused.get("details"))).containsEntry("created", 0).containsEntry("failed", 1).containsEntry("atomic", true);
    }

    @Test
    void every_task_of_a_batch_fires_with_its_shared_schedule() {
        String at = Instant.now().plus(Duration.ofSeconds(3)).toString();
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            items.add(task("once", at));
        }
        List<Map<String, Object>> results = results(api.post("/tasks/batch", batch(items, false)).expect(200));
        List<UUID> ids = results.stream().map(x -> UUID.fromString((String) map(x.get("task")).get("id"))).toList();

        Eventually.until("all five batch tasks ran once",
                () -> jdbc.sql("SELECT count(*) FROM task_run WHERE task_id IN (:ids) AND finished_at IS NOT NULL")
                        .param("ids", ids).query(Long.class).single(),
                n -> n == 5L);
        assertThat(jdbc.sql("SELECT count(DISTINCT scheduled_for) FROM task_run WHERE task_id IN (:ids)").param("ids", ids)
                .query(Long.class).single()).isEqualTo(1L);
    }
}
