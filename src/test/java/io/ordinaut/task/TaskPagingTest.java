package io.ordinaut.task;

import static io.ordinaut.task.TaskApiTest.task;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.NodeTestSupport;

/**
 * GET /tasks at scale (issue 15): every filter combination pages through an index, never a Seq Scan of
 * the task table, and its total is read from the kept counts (task_count) — exact through creation,
 * status changes, deletion and folding. Plans, not timings: speed is the benchmarks' business.
 */
@TestPropertySource(properties = "ordinaut.security.burst-per-second=1000")
class TaskPagingTest extends NodeTestSupport {

    private static final UUID SYSTEM = UUID.fromString("00000000-0000-0000-0000-000000000001");
    private static final String[] STATUSES = {null, "active", "paused"};
    private static final String[] KINDS = {null, "cron", "interval"};
    private static final UUID[] OWNERS = {null, SYSTEM};

    @Autowired
    private FoldTaskCounts fold;

    @Test
    void every_filter_combination_pages_by_an_index_and_totals_without_reading_task() {
        // given 20,000 tasks cloned by SQL from a few created through the API, and fresh statistics
        createSome();
        jdbc.sql("""
                INSERT INTO task (id, title, created_by, schedule_kind, schedule_expr, timezone, payload, status, priority,
                                  max_retries, backoff_strategy, misfire_grace_seconds, schedule_id, active_since, created_at, updated_at)
                SELECT gen_random_uuid(), 'clone ' || g, created_by, schedule_kind, schedule_expr, timezone, payload, status, priority,
                       max_retries, backoff_strategy, misfire_grace_seconds, schedule_id, active_since,
                       created_at - g * interval '1 second', updated_at
                  FROM generate_series(1, 20000) g,
                       LATERAL (SELECT * FROM task ORDER BY id OFFSET g % 4 LIMIT 1) t
                """).update();
        jdbc.sql("ANALYZE task").update();

        for (String status : STATUSES) {
            for (String kind : KINDS) {
                for (UUID owner : OWNERS) {
                    // when the page and the total of this combination are explained
                    String page = explain("EXPLAIN " + TaskRepository.pageSql(status, kind, owner), status, kind, owner, true);
                    String count = explain("EXPLAIN " + TaskRepository.countSql(status, kind, owner), status, kind, owner, false);

                    // then the page walks an index and the total never touches the task table
                    String combination = status + "/" + kind + "/" + owner;
                    assertThat(page).as("page plan for %s", combination).contains("Index").doesNotContain("Seq Scan on task ");
                    assertThat(count).as("count plan for %s", combination).doesNotContainPattern("on task(\\s|$)");
                }
            }
        }
    }

    @Test
    void totals_stay_exact_through_creation_status_changes_deletion_and_folding() {
        // given tasks created one by one and in a batch, some paused, one canceled
        List<String> ids = createSome();
        api.post("/tasks/" + ids.get(0) + "/pause", "{}").expect(200);
        api.post("/tasks/" + ids.get(1) + "/pause", "{}").expect(200);
        api.post("/tasks/" + ids.get(2) + "/cancel", "{}").expect(200);
        api.put("/tasks/" + ids.get(3), Map.of("schedule_kind", "interval", "schedule_expr", "PT1H")).expect(200);
        assertTotalsMatchTheTable();

        // when a task row is deleted (as retention would) and the deltas are folded
        jdbc.sql("DELETE FROM missed_occurrence WHERE task_id = CAST(:id AS uuid)").param("id", ids.get(4)).update();
        jdbc.sql("DELETE FROM due_work WHERE task_id = CAST(:id AS uuid)").param("id", ids.get(4)).update();
        jdbc.sql("DELETE FROM task_run WHERE task_id = CAST(:id AS uuid)").param("id", ids.get(4)).update();
        jdbc.sql("DELETE FROM task WHERE id = CAST(:id AS uuid)").param("id", ids.get(4)).update();
        assertTotalsMatchTheTable();
        fold.fold();

        // then every total still equals count(*) and each group is one row
        assertTotalsMatchTheTable();
        assertThat(jdbc.sql("SELECT count(*) FROM task_count").query(Long.class).single())
                .isEqualTo(jdbc.sql("SELECT count(*) FROM (SELECT DISTINCT status, schedule_kind, created_by FROM task) g")
                        .query(Long.class).single());

        // and a page's total is the kept one
        long active = jdbc.sql("SELECT count(*) FROM task WHERE status = 'active' AND schedule_kind = 'cron'").query(Long.class).single();
        assertThat(((Number) api.get("/tasks?status=active&schedule_kind=cron&limit=1").expect(200).get("total")).longValue())
                .isEqualTo(active);
    }

    /** Ten tasks by POST /tasks and forty by POST /tasks/batch: cron and interval, newest first. */
    private List<String> createSome() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(api.post("/tasks", i % 2 == 0 ? task("cron", (i + 1) + " 9 * * *") : task("interval", "PT" + (i + 1) + "M"))
                    .expect(201).string("id"));
        }
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            batch.add(i % 2 == 0 ? task("cron", (i + 1) + " 10 * * *") : task("interval", "PT" + (i + 1) + "M"));
        }
        api.post("/tasks/batch", Map.of("tasks", batch)).expect(200);
        return ids;
    }

    private void assertTotalsMatchTheTable() {
        for (String status : STATUSES) {
            for (String kind : KINDS) {
                for (UUID owner : OWNERS) {
                    long kept = jdbc.sql(TaskRepository.countSql(status, kind, owner)).params(params(status, kind, owner))
                            .query(Long.class).single();
                    String where = TaskRepository.countSql(status, kind, owner).replace("SELECT coalesce(sum(n), 0) FROM task_count", "");
                    long counted = jdbc.sql("SELECT count(*) FROM task" + where).params(params(status, kind, owner)).query(Long.class).single();
                    assertThat(kept).as("total for %s/%s/%s", status, kind, owner).isEqualTo(counted);
                }
            }
        }
    }

    private String explain(String sql, String status, String kind, UUID owner, boolean paged) {
        Map<String, Object> params = params(status, kind, owner);
        if (paged) {
            params.put("limit", 50);
            params.put("offset", 0);
        }
        return String.join("\n", jdbc.sql(sql).params(params).query(String.class).list());
    }

    private static Map<String, Object> params(String status, String kind, UUID owner) {
        Map<String, Object> p = new HashMap<>();
        if (status != null) {
            p.put("status", status);
        }
        if (kind != null) {
            p.put("kind", kind);
        }
        if (owner != null) {
            p.put("createdBy", owner);
        }
        return p;
    }
}
