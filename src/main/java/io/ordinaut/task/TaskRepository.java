package io.ordinaut.task;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.StoredJson;
import io.ordinaut.TaskStatus;
import io.ordinaut.queue.StatusSql;

/** SQL for the task table. */
@Repository
class TaskRepository {

    private static final String COLUMNS = """
            id, title, description, created_by, schedule_kind, schedule_expr, timezone, CAST(payload AS text) AS payload,
            status, priority, max_retries, backoff_strategy, dedupe_key, dedupe_window_seconds, concurrency_key,
            misfire_grace_seconds, jitter_seconds, start_at, end_at, schedule_id, active_since, snoozed_for,
            snooze_seconds, created_at, updated_at, overlap_policy, run_timeout_seconds, concurrency_limit
            """;

    /** New tasks, one statement for all (a batch, or single creations stored together); rows carry the columns by name. */
    private static final String INSERT_ALL = """
            INSERT INTO task (id, title, description, created_by, schedule_kind, schedule_expr, timezone, payload, status,
                              priority, max_retries, backoff_strategy, dedupe_key, dedupe_window_seconds, concurrency_key,
                              misfire_grace_seconds, jitter_seconds, start_at, end_at, active_since, created_at, updated_at,
                              overlap_policy, run_timeout_seconds, concurrency_limit, schedule_id)
            SELECT id, title, description, created_by, schedule_kind, schedule_expr, timezone, payload, status,
                   priority, max_retries, backoff_strategy, dedupe_key, dedupe_window_seconds, concurrency_key,
                   misfire_grace_seconds, jitter_seconds, start_at, end_at, active_since, created_at, updated_at,
                   overlap_policy, run_timeout_seconds, concurrency_limit, schedule_id
              FROM json_to_recordset(CAST(:rows AS json)) AS r(
                   id uuid, title text, description text, created_by uuid, schedule_kind text, schedule_expr text,
                   timezone text, payload jsonb, status text, priority smallint, max_retries smallint, backoff_strategy text,
                   dedupe_key text, dedupe_window_seconds integer, concurrency_key text, misfire_grace_seconds integer,
                   jitter_seconds integer, start_at timestamptz, end_at timestamptz, active_since timestamptz,
                   created_at timestamptz, updated_at timestamptz, overlap_policy text, run_timeout_seconds integer,
                   concurrency_limit integer, schedule_id uuid)
            """;

    private static final String UPDATE = """
            UPDATE task SET title = :title, description = :description, created_by = :createdBy, schedule_kind = :scheduleKind,
                   schedule_expr = :scheduleExpr, timezone = :timezone, payload = CAST(:payload AS jsonb), status = :status,
                   priority = :priority, max_retries = :maxRetries, backoff_strategy = :backoffStrategy,
                   dedupe_key = :dedupeKey, dedupe_window_seconds = :dedupeWindowSeconds, concurrency_key = :concurrencyKey,
                   misfire_grace_seconds = :misfireGraceSeconds, jitter_seconds = :jitterSeconds, start_at = :startAt,
                   end_at = :endAt, schedule_id = :scheduleId, active_since = :activeSince, snoozed_for = :snoozedFor,
                   snooze_seconds = :snoozeSeconds, updated_at = :updatedAt, overlap_policy = :overlapPolicy,
                   run_timeout_seconds = :runTimeoutSeconds, concurrency_limit = :concurrencyLimit
             WHERE id = :id
            """;

    private static final String ATTACH = "UPDATE task SET schedule_id = :scheduleId WHERE id = :id";

    private static final String FIND = "SELECT " + COLUMNS + " FROM task WHERE id = :id";
    private static final String FIND_ALL = "SELECT " + COLUMNS + " FROM task WHERE id IN (:ids)";
    private static final String FIND_FOR_UPDATE = FIND + " FOR UPDATE";

    /**
     * The page, newest first. Only the filters given go into the statement — one text per combination —
     * so each is planned with its own index (024-task-paging: created_at, schedule_kind, status,
     * created_by, each then created_at DESC) instead of a generic plan of "IS NULL OR" that reads the table.
     */
    private static final String PAGE = "SELECT " + COLUMNS + " FROM task%s ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset";

    /** The total sums the kept counts of the matching groups (024-task-paging, {@link FoldTaskCounts}), never counts rows. */
    private static final String COUNT = "SELECT coalesce(sum(n), 0) FROM task_count%s";

    private static final String AGENT_EXISTS = "SELECT EXISTS (SELECT 1 FROM agent WHERE id = :id)";

    /**
     * Serialises, per agent and until commit, whatever may raise the number of its open tasks (creations,
     * reactivations), on every node: the count that checks its cap and the insert that follows are then
     * one step, so concurrent calls cannot each see room for the same slot. Taken in owner order — a
     * transaction of grouped creations may lock several agents — and before any schedule lock.
     */
    private static final String LOCK_OWNERS = """
            SELECT count(pg_advisory_xact_lock(hashtextextended('ordinaut:open_tasks:' || o, 0)))
              FROM (SELECT value AS o FROM jsonb_array_elements_text(CAST(:owners AS jsonb)) ORDER BY value) AS s
            """;

    /**
     * The agents' open (active or paused) tasks, from the kept counts (024-task-paging): every column of
     * task_count_group_idx is given, so each (status, kind, owner) group is a probe, however many agents
     * and tasks there are. Run after {@link #LOCK_OWNERS}, in a statement of its own: a statement's snapshot
     * is taken when it starts, so one that waited for the lock would not see the commit it waited for.
     */
    private static final String OPEN_TASKS = StatusSql.of("""
            SELECT created_by, sum(n) AS open FROM task_count
             WHERE status IN ({task:active}, {task:paused}) AND schedule_kind IN (:kinds) AND created_by IN (:owners)
             GROUP BY created_by
            """);

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private final JdbcClient jdbc;
    private final JsonMapper json;

    TaskRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Inserts new tasks with one statement. */
    void insertAll(List<Task> all) {
        List<Map<String, Object>> rows = new ArrayList<>(all.size());
        for (Task t : all) {
            Map<String, Object> row = new HashMap<>();
            row.put("id", t.id());
            row.put("title", t.spec().title());
            row.put("description", t.spec().description());
            row.put("created_by", t.createdBy());
            row.put("schedule_kind", t.spec().scheduleKind());
            row.put("schedule_expr", t.spec().scheduleExpr());
            row.put("timezone", t.spec().timezone());
            row.put("payload", t.spec().payload());
            row.put("status", t.status().wireName());
            row.put("priority", t.spec().priority());
            row.put("max_retries", t.spec().maxRetries());
            row.put("backoff_strategy", t.spec().backoffStrategy());
            row.put("dedupe_key", t.spec().dedupeKey());
            row.put("dedupe_window_seconds", t.spec().dedupeWindowSeconds());
            row.put("concurrency_key", t.spec().concurrencyKey());
            row.put("misfire_grace_seconds", t.spec().misfireGraceSeconds());
            row.put("jitter_seconds", t.spec().jitterSeconds());
            row.put("start_at", text(t.spec().startAt()));
            row.put("end_at", text(t.spec().endAt()));
            row.put("active_since", text(t.activeSince()));
            row.put("created_at", text(t.state().createdAt()));
            row.put("updated_at", text(t.state().updatedAt()));
            row.put("overlap_policy", t.spec().runPolicy().overlapPolicy());
            row.put("run_timeout_seconds", t.spec().runPolicy().runTimeoutSeconds());
            row.put("concurrency_limit", t.spec().runPolicy().concurrencyLimit());
            row.put("schedule_id", t.scheduleId());
            rows.add(row);
        }
        int inserted = jdbc.sql(INSERT_ALL).param("rows", json.writeValueAsString(rows)).update();
        if (inserted != all.size()) {
            throw new IllegalStateException("Inserting " + all.size() + " tasks inserted " + inserted + " rows");
        }
    }

    void update(Task t) {
        int rows = bind(jdbc.sql(UPDATE), t)
                .param("createdBy", t.createdBy())
                .param("scheduleId", t.scheduleId())
                .param("snoozedFor", ts(t.state().snoozedFor()))
                .param("snoozeSeconds", t.state().snoozeSeconds())
                .update();
        if (rows != 1) {
            throw new IllegalStateException("Updating task " + t.id() + " changed " + rows + " rows");
        }
    }

    /** UPDATE's parameters, but created_by, schedule_id and the snooze. */
    private JdbcClient.StatementSpec bind(JdbcClient.StatementSpec statement, Task t) {
        return statement
                .param("id", t.id())
                .param("title", t.spec().title())
                .param("description", t.spec().description())
                .param("scheduleKind", t.spec().scheduleKind())
                .param("scheduleExpr", t.spec().scheduleExpr())
                .param("timezone", t.spec().timezone())
                .param("payload", json.writeValueAsString(t.spec().payload()))
                .param("status", t.status().wireName())
                .param("priority", t.spec().priority())
                .param("maxRetries", t.spec().maxRetries())
                .param("backoffStrategy", t.spec().backoffStrategy())
                .param("dedupeKey", t.spec().dedupeKey())
                .param("dedupeWindowSeconds", t.spec().dedupeWindowSeconds())
                .param("concurrencyKey", t.spec().concurrencyKey())
                .param("misfireGraceSeconds", t.spec().misfireGraceSeconds())
                .param("jitterSeconds", t.spec().jitterSeconds())
                .param("startAt", ts(t.spec().startAt()))
                .param("endAt", ts(t.spec().endAt()))
                .param("activeSince", ts(t.activeSince()))
                .param("updatedAt", ts(t.state().updatedAt()))
                .param("overlapPolicy", t.spec().runPolicy().overlapPolicy())
                .param("runTimeoutSeconds", t.spec().runPolicy().runTimeoutSeconds())
                .param("concurrencyLimit", t.spec().runPolicy().concurrencyLimit());
    }

    /** Puts the task on the shared schedule it joined (trigger.ScheduleRegistry#join). */
    void attach(UUID id, UUID scheduleId) {
        int rows = jdbc.sql(ATTACH).param("id", id).param("scheduleId", scheduleId).update();
        if (rows != 1) {
            throw new IllegalStateException("Attaching task " + id + " to schedule " + scheduleId + " changed " + rows + " rows");
        }
    }

    List<Task> findAll(List<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql(FIND_ALL).param("ids", ids).query(this::map).list();
    }

    Optional<Task> find(UUID id) {
        return jdbc.sql(FIND).param("id", id).query(this::map).optional();
    }

    /** Locks the task row for the rest of the transaction, so changes to one task serialise. */
    Optional<Task> findForUpdate(UUID id) {
        return jdbc.sql(FIND_FOR_UPDATE).param("id", id).query(this::map).optional();
    }

    List<Task> page(String status, String kind, UUID createdBy, int limit, int offset) {
        return filtered(PAGE, status, kind, createdBy)
                .param("limit", limit)
                .param("offset", offset)
                .query(this::map)
                .list();
    }

    long count(String status, String kind, UUID createdBy) {
        return filtered(COUNT, status, kind, createdBy).query(Long.class).single();
    }

    /** The page statement for these filters (null: not filtered), as {@link #page} runs it; tests explain it. */
    static String pageSql(String status, String kind, UUID createdBy) {
        return PAGE.formatted(where(status, kind, createdBy));
    }

    /** The total statement for these filters, as {@link #count} runs it. */
    static String countSql(String status, String kind, UUID createdBy) {
        return COUNT.formatted(where(status, kind, createdBy));
    }

    private static String where(String status, String kind, UUID createdBy) {
        List<String> conditions = new ArrayList<>(3);
        if (status != null) {
            conditions.add("status = :status");
        }
        if (kind != null) {
            conditions.add("schedule_kind = :kind");
        }
        if (createdBy != null) {
            conditions.add("created_by = :createdBy");
        }
        return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    }

    /** {@code sql} with a WHERE clause of the filters given (null: not filtered) in place of its %s. */
    private JdbcClient.StatementSpec filtered(String sql, String status, String kind, UUID createdBy) {
        Map<String, Object> params = new HashMap<>();
        if (status != null) {
            params.put("status", status);
        }
        if (kind != null) {
            params.put("kind", kind);
        }
        if (createdBy != null) {
            params.put("createdBy", createdBy);
        }
        return jdbc.sql(sql.formatted(where(status, kind, createdBy))).params(params);
    }

    /**
     * Locks the agents' open-task counts for the rest of the transaction ({@link #LOCK_OWNERS}) and reads
     * them: every owner given is in the answer, 0 when it has no open task.
     */
    Map<UUID, Long> lockOpenTasks(Collection<UUID> owners) {
        List<String> sorted = owners.stream().map(UUID::toString).sorted().toList();
        jdbc.sql(LOCK_OWNERS).param("owners", json.writeValueAsString(sorted)).query().listOfRows();
        return openTasks(owners);
    }

    /** The agents' open tasks, every owner given in the answer (0 when it has none); locks nothing. */
    Map<UUID, Long> openTasks(Collection<UUID> owners) {
        Map<UUID, Long> open = new HashMap<>();
        owners.forEach(o -> open.put(o, 0L));
        jdbc.sql(OPEN_TASKS).param("kinds", TaskSpec.KINDS).param("owners", List.copyOf(owners))
                .query((rs, row) -> open.put(rs.getObject("created_by", UUID.class), rs.getLong("open"))).list();
        return open;
    }

    boolean agentExists(UUID id) {
        return jdbc.sql(AGENT_EXISTS).param("id", id).query(Boolean.class).single();
    }

    private Task map(ResultSet rs, int row) throws SQLException {
        TaskSpec spec = new TaskSpec(
                rs.getString("title"),
                rs.getString("description"),
                rs.getString("schedule_kind"),
                rs.getString("schedule_expr"),
                rs.getString("timezone"),
                StoredJson.READER.readValue(rs.getString("payload"), MAP),
                rs.getInt("priority"),
                rs.getInt("max_retries"),
                rs.getString("backoff_strategy"),
                rs.getString("dedupe_key"),
                (Integer) rs.getObject("dedupe_window_seconds"),
                rs.getString("concurrency_key"),
                rs.getObject("created_by", UUID.class),
                rs.getInt("misfire_grace_seconds"),
                rs.getInt("jitter_seconds"),
                instant(rs, "start_at"),
                instant(rs, "end_at"),
                new RunPolicy(rs.getString("overlap_policy"), (Integer) rs.getObject("run_timeout_seconds"),
                        rs.getInt("concurrency_limit")));
        TaskState state = new TaskState(
                TaskStatus.fromWire(rs.getString("status")),
                rs.getObject("schedule_id", UUID.class),
                instant(rs, "active_since"),
                instant(rs, "snoozed_for"),
                (Integer) rs.getObject("snooze_seconds"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"));
        return new Task(rs.getObject("id", UUID.class), spec, state);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }
}
