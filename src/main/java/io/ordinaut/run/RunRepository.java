package io.ordinaut.run;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import tools.jackson.databind.json.JsonMapper;

/** Reads run history (task_run) together with runs still in the queue (due_work). */
@Repository
class RunRepository {

    private static final String ALL_RUNS = """
            SELECT id, task_id, scheduled_for, trigger, attempt, status, success, lease_owner, started_at, finished_at,
                   error, CAST(output AS text) AS output, created_at
              FROM task_run
            UNION ALL
            SELECT id, task_id, scheduled_for, trigger, attempt,
                   CASE WHEN locked_by IS NULL THEN 'queued' ELSE 'running' END, NULL, locked_by, NULL, NULL,
                   NULL, NULL, created_at
              FROM due_work
            """;

    private static final String FILTER = """
             WHERE (CAST(:taskId AS uuid) IS NULL OR task_id = :taskId)
               AND (CAST(:success AS boolean) IS NULL OR success = :success)
            """;

    private static final String PAGE = "SELECT * FROM (" + ALL_RUNS + ") r" + FILTER
            + " ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset";
    private static final String COUNT = "SELECT count(*) FROM (" + ALL_RUNS + ") r" + FILTER;
    private static final String FIND = "SELECT * FROM (" + ALL_RUNS + ") r WHERE id = :id ORDER BY created_at DESC LIMIT 1";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    RunRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    List<RunView> page(UUID taskId, Boolean success, int limit, int offset) {
        return jdbc.sql(PAGE)
                .param("taskId", taskId)
                .param("success", success)
                .param("limit", limit)
                .param("offset", offset)
                .query(this::map)
                .list();
    }

    long count(UUID taskId, Boolean success) {
        return jdbc.sql(COUNT).param("taskId", taskId).param("success", success).query(Long.class).single();
    }

    Optional<RunView> find(UUID id) {
        return jdbc.sql(FIND).param("id", id).query(this::map).optional();
    }

    private RunView map(ResultSet rs, int row) throws SQLException {
        String output = rs.getString("output");
        return new RunView(
                rs.getObject("id", UUID.class),
                rs.getObject("task_id", UUID.class),
                instant(rs, "scheduled_for"),
                rs.getString("trigger"),
                rs.getInt("attempt"),
                rs.getString("status"),
                (Boolean) rs.getObject("success"),
                rs.getString("lease_owner"),
                instant(rs, "started_at"),
                instant(rs, "finished_at"),
                rs.getString("error"),
                output == null ? null : json.readValue(output, Object.class),
                instant(rs, "created_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
