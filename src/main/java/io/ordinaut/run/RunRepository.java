package io.ordinaut.run;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import tools.jackson.databind.util.RawValue;

import io.ordinaut.StoredJson;
import io.ordinaut.queue.StatusSql;

/**
 * Reads run history (task_run: one row per recorded attempt) together with runs still in the queue
 * (due_work: queued or running), and the statistics over them.
 */
@Repository
class RunRepository {

    /**
     * The most of one run's output a list item carries (its jsonb text, in bytes); a larger one is left
     * out of the item, marked, and read with GET /runs/{id}. Outputs may be up to
     * ordinaut.pipeline.max-run-output-bytes (8 MiB) each, and a page up to 1000 items: without this, one
     * list request could make the node hold gigabytes.
     */
    static final int MAX_LISTED_OUTPUT_BYTES = 256 * 1024;
    /** The most output text one list page carries in all: items past it are listed with their output left out. */
    static final int MAX_LISTED_PAGE_OUTPUT_BYTES = 1024 * 1024;

    private static final String RECORDED = """
            SELECT 'recorded' AS source, id, run_id, task_id, status, trigger, attempt, scheduled_for,
                   CAST(NULL AS timestamptz) AS run_at, success, lease_owner, CAST(NULL AS timestamptz) AS leased_until,
                   started_at, finished_at, error, created_at
              FROM task_run""";

    /** Runs still in the queue; a queued run has no output, a running one its progress (below). */
    private static final String LIVE = StatusSql.of("""
            SELECT 'live' AS source, id, id AS run_id, task_id,
                   CASE WHEN locked_by IS NULL THEN {run:queued} ELSE {run:running} END AS status,
                   trigger, attempt, scheduled_for, run_at, CAST(NULL AS boolean) AS success, locked_by AS lease_owner,
                   locked_until AS leased_until, started_at, CAST(NULL AS timestamptz) AS finished_at,
                   CAST(NULL AS text) AS error, created_at
              FROM due_work""");

    /**
     * The output text of the run row {@code r} (from RECORDED or LIVE). The unions above carry no output:
     * a query that sorts or counts them would otherwise turn every matching row's output into text, up to
     * 8 MiB each, to keep a page of them. It is read by id for the rows of the answer only. A running
     * run shows as its output the progress its node last wrote with a lease renewal (the outputs and
     * trace of the steps that ended, in the shape of a recorded run's output; 029-run-progress); a queued
     * one has none (a re-queue clears it).
     */
    private static final String OUTPUT = """
            CASE r.source
                 WHEN 'recorded' THEN (SELECT CAST(o.output AS text) FROM task_run o WHERE o.id = r.id)
                 ELSE (SELECT CAST(o.progress -> 'output' AS text) FROM due_work o WHERE o.id = r.id AND o.locked_by IS NOT NULL)
            END""";

    private static final String ALL_RUNS = RECORDED + "\nUNION ALL\n" + LIVE;

    private static final String VISIBLE = " AND (CAST(:owner AS uuid) IS NULL OR task_id IN (SELECT id FROM task WHERE created_by = :owner))";

    /**
     * A run by id, from the queue or the history in one statement (the queue row first, should both hold
     * it): read with two, a run that a retry moved from the history into the queue between them was in
     * neither, and answered 404.
     */
    private static final String FIND = "SELECT r.*, " + OUTPUT + " AS output FROM (" + ALL_RUNS + ") r WHERE id = :id" + VISIBLE
            + " ORDER BY r.source = 'recorded' LIMIT 1";
    /** Whether a run (or attempt) with this id exists for the caller, without reading its output. */
    private static final String EXISTS = "SELECT EXISTS (SELECT 1 FROM (" + ALL_RUNS + ") r WHERE id = :id" + VISIBLE + ")";
    private static final String LATEST = "SELECT r.*, " + OUTPUT + " AS output FROM (SELECT * FROM (" + ALL_RUNS + ") r"
            + " WHERE task_id = :taskId ORDER BY created_at DESC, attempt DESC, id LIMIT 1) r";

    /**
     * A page of runs (1: the filter, 2: OUTPUT, 3: ALL_RUNS) with each item's output size, and its output
     * only while it is at most MAX_LISTED_OUTPUT_BYTES and the outputs listed so far on the page, in page
     * order, stay within MAX_LISTED_PAGE_OUTPUT_BYTES. The page is chosen first, without outputs; only its
     * rows are sized, in the database, so an output left out never leaves it.
     */
    private static final String PAGE = """
            SELECT r.*, CASE WHEN r.output_bytes <= :maxItemBytes AND r.listed_bytes <= :maxPageBytes THEN %2$s END AS output
              FROM (SELECT r.*, sum(CASE WHEN r.output_bytes <= :maxItemBytes THEN r.output_bytes ELSE 0 END)
                                    OVER (ORDER BY created_at DESC, attempt DESC, id ROWS UNBOUNDED PRECEDING) AS listed_bytes
                      FROM (SELECT r.*, octet_length(%2$s) AS output_bytes
                              FROM (SELECT * FROM (%3$s) r%1$s
                                     ORDER BY created_at DESC, attempt DESC, id LIMIT :limit OFFSET :offset) r) r) r
             ORDER BY created_at DESC, attempt DESC, id""";

    private static final String TASK_VISIBLE = """
            SELECT EXISTS (SELECT 1 FROM task WHERE id = :taskId AND (CAST(:owner AS uuid) IS NULL OR created_by = :owner))
            """;

    /** Over recorded attempts since :since; durations in seconds. Skipped and canceled-before-start runs never ran. */
    private static final String STATS = StatusSql.of("""
            SELECT count(*) FILTER (WHERE success IS NOT NULL) AS total_runs,
                   count(DISTINCT task_id) FILTER (WHERE success IS NOT NULL) AS total_tasks_executed,
                   count(*) FILTER (WHERE success) AS successful_runs,
                   count(*) FILTER (WHERE success = false) AS failed_runs,
                   avg(extract(epoch FROM finished_at - started_at)) AS avg_seconds,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at)) AS p50_seconds,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at)) AS p95_seconds,
                   max(created_at) AS last_run,
                   max(created_at) FILTER (WHERE success) AS last_success,
                   max(created_at) FILTER (WHERE success = false) AS last_failure,
                   count(*) FILTER (WHERE status = {run:succeeded}) AS succeeded,
                   count(*) FILTER (WHERE status = {run:failed}) AS failed,
                   count(*) FILTER (WHERE status = {run:dead}) AS dead,
                   count(*) FILTER (WHERE status = {run:skipped}) AS skipped,
                   count(*) FILTER (WHERE status = {run:canceled}) AS canceled
              FROM task_run
             WHERE created_at >= :since AND (CAST(:taskId AS uuid) IS NULL OR task_id = :taskId)
              AND (CAST(:owner AS uuid) IS NULL OR task_id IN (SELECT id FROM task WHERE created_by = :owner))
            """);

    private static final String LAST_ERROR = """
            SELECT id, run_id, task_id, status, error, created_at FROM task_run
             WHERE created_at >= :since AND success = false AND error IS NOT NULL
               AND (CAST(:taskId AS uuid) IS NULL OR task_id = :taskId)
              AND (CAST(:owner AS uuid) IS NULL OR task_id IN (SELECT id FROM task WHERE created_by = :owner))
             ORDER BY created_at DESC LIMIT 1
            """;

    private static final String QUEUE_STATE = """
            SELECT count(*) FILTER (WHERE locked_by IS NULL AND run_at <= now()) AS due,
                   count(*) FILTER (WHERE locked_by IS NULL AND run_at > now()) AS waiting,
                   count(*) FILTER (WHERE locked_by IS NOT NULL) AS running
              FROM due_work WHERE (CAST(:taskId AS uuid) IS NULL OR task_id = :taskId)
              AND (CAST(:owner AS uuid) IS NULL OR task_id IN (SELECT id FROM task WHERE created_by = :owner))
            """;

    private final JdbcClient jdbc;

    RunRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A page of runs, newest first; outputs past the list bounds are left out and marked (RunView.outputOmitted). */
    List<RunView> page(RunFilter filter, int limit, int offset) {
        Query q = where(filter);
        JdbcClient.StatementSpec spec = jdbc.sql(PAGE.formatted(q.sql(), OUTPUT, ALL_RUNS));
        q.params().forEach(spec::param);
        return spec.param("limit", limit).param("offset", offset)
                .param("maxItemBytes", MAX_LISTED_OUTPUT_BYTES).param("maxPageBytes", MAX_LISTED_PAGE_OUTPUT_BYTES)
                .query(this::listed).list();
    }

    long count(RunFilter filter) {
        Query q = where(filter);
        JdbcClient.StatementSpec spec = jdbc.sql("SELECT count(*) FROM (" + ALL_RUNS + ") r" + q.sql());
        q.params().forEach(spec::param);
        return spec.query(Long.class).single();
    }

    /** The run with this id: its live queue row while queued or running, else its recorded row. */
    Optional<RunView> find(UUID id, UUID owner) {
        return jdbc.sql(FIND).param("id", id).param("owner", owner).query(RunRepository::whole).optional();
    }

    /**
     * Whether the run or attempt {@code id} is the caller's ({@code owner} null: any), for a command on it:
     * it answers without the run's output, which may be megabytes the command never shows.
     */
    boolean visible(UUID id, UUID owner) {
        return jdbc.sql(EXISTS).param("id", id).param("owner", owner).query(Boolean.class).single();
    }

    Optional<RunView> latest(UUID taskId) {
        return jdbc.sql(LATEST).param("taskId", taskId).query(RunRepository::whole).optional();
    }

    boolean taskVisible(UUID taskId, UUID owner) {
        return jdbc.sql(TASK_VISIBLE).param("taskId", taskId).param("owner", owner).query(Boolean.class).single();
    }

    /** Counts, rates and durations of attempts recorded since {@code since}, for one task or (null) all visible to {@code owner}. */
    Map<String, Object> stats(UUID taskId, UUID owner, Instant since) {
        Map<String, Object> row = jdbc.sql(STATS).param("since", Timestamp.from(since)).param("taskId", taskId)
                .param("owner", owner).query().singleRow();
        long total = number(row.get("total_runs")).longValue();
        long successful = number(row.get("successful_runs")).longValue();
        long failed = number(row.get("failed_runs")).longValue();
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("total_runs", total);
        stats.put("total_tasks_executed", number(row.get("total_tasks_executed")).longValue());
        stats.put("successful_runs", successful);
        stats.put("failed_runs", failed);
        stats.put("success_rate", total == 0 ? 0.0 : round(successful / (double) total, 3));
        stats.put("failure_rate", total == 0 ? 0.0 : round(failed / (double) total, 3));
        stats.put("avg_execution_time_seconds", seconds(row.get("avg_seconds")));
        stats.put("p50_execution_time_seconds", seconds(row.get("p50_seconds")));
        stats.put("p95_execution_time_seconds", seconds(row.get("p95_seconds")));
        stats.put("last_run", instant(row.get("last_run")));
        stats.put("last_success", instant(row.get("last_success")));
        stats.put("last_failure", instant(row.get("last_failure")));
        Map<String, Object> byStatus = new LinkedHashMap<>();
        for (String status : List.of("succeeded", "failed", "dead", "skipped", "canceled")) {
            byStatus.put(status, number(row.get(status)).longValue());
        }
        stats.put("status_counts", byStatus);
        stats.put("last_error", jdbc.sql(LAST_ERROR).param("since", Timestamp.from(since)).param("taskId", taskId).param("owner", owner)
                .query().listOfRows().stream().findFirst().map(RunRepository::lastError).orElse(null));
        Map<String, Object> queue = jdbc.sql(QUEUE_STATE).param("taskId", taskId).param("owner", owner).query().singleRow();
        Map<String, Object> queued = new LinkedHashMap<>();
        queued.put("due", number(queue.get("due")).longValue());
        queued.put("waiting", number(queue.get("waiting")).longValue());
        queued.put("running", number(queue.get("running")).longValue());
        stats.put("queue", queued);
        return stats;
    }

    private static Map<String, Object> lastError(Map<String, Object> row) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("id", row.get("id"));
        error.put("run_id", row.get("run_id"));
        error.put("task_id", row.get("task_id"));
        error.put("status", row.get("status"));
        error.put("error", row.get("error"));
        error.put("at", instant(row.get("created_at")));
        return error;
    }

    private static Query where(RunFilter f) {
        StringBuilder sql = new StringBuilder(" WHERE true");
        Map<String, Object> params = new LinkedHashMap<>();
        add(sql, params, f.taskId(), " AND task_id = :taskId", "taskId");
        add(sql, params, f.status(), " AND status = :status", "status");
        add(sql, params, f.success(), " AND success = :success", "success");
        add(sql, params, f.trigger(), " AND trigger = :trigger", "trigger");
        add(sql, params, f.startTime() == null ? null : Timestamp.from(f.startTime()), " AND created_at >= :startTime", "startTime");
        add(sql, params, f.endTime() == null ? null : Timestamp.from(f.endTime()), " AND created_at <= :endTime", "endTime");
        add(sql, params, f.owner(), " AND task_id IN (SELECT id FROM task WHERE created_by = :owner)", "owner");
        return new Query(sql.toString(), params);
    }

    private static void add(StringBuilder sql, Map<String, Object> params, Object value, String condition, String name) {
        if (value != null) {
            sql.append(condition);
            params.put(name, value);
        }
    }

    private record Query(String sql, Map<String, Object> params) {
    }

    /**
     * One run shown whole: its output is passed on as the stored JSON text, unparsed, so an 8 MiB output
     * costs its text and not a tree of objects several times its size.
     */
    private static RunView whole(ResultSet rs, int row) throws SQLException {
        String output = rs.getString("output");
        return map(rs, output == null ? null : new RawValue(output), null);
    }

    /**
     * A list item: its output parsed (the list hides its steps' errors), or, when left out, null with
     * its size. Parsing is bounded by the page's output bound.
     */
    private RunView listed(ResultSet rs, int row) throws SQLException {
        String output = rs.getString("output");
        long bytes = rs.getLong("output_bytes");
        Long omittedBytes = output == null && !rs.wasNull() ? bytes : null;
        return map(rs, output == null ? null : StoredJson.READER.readValue(output, Object.class), omittedBytes);
    }

    private static RunView map(ResultSet rs, Object output, Long omittedBytes) throws SQLException {
        Instant startedAt = instant(rs, "started_at");
        Instant finishedAt = instant(rs, "finished_at");
        return new RunView(
                rs.getObject("id", UUID.class),
                rs.getObject("run_id", UUID.class),
                rs.getObject("task_id", UUID.class),
                rs.getString("status"),
                rs.getString("trigger"),
                rs.getInt("attempt"),
                instant(rs, "scheduled_for"),
                instant(rs, "run_at"),
                (Boolean) rs.getObject("success"),
                rs.getString("lease_owner"),
                instant(rs, "leased_until"),
                startedAt,
                finishedAt,
                startedAt != null && finishedAt != null ? finishedAt.toEpochMilli() - startedAt.toEpochMilli() : null,
                rs.getString("error"),
                output,
                omittedBytes,
                omittedBytes == null ? null : Boolean.TRUE,
                instant(rs, "created_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static Instant instant(Object value) {
        return value instanceof Timestamp t ? t.toInstant() : null;
    }

    private static Number number(Object value) {
        return value == null ? 0 : (Number) value;
    }

    private static double seconds(Object value) {
        return value == null ? 0.0 : round(((Number) value).doubleValue(), 3);
    }

    private static double round(double value, int places) {
        double scale = Math.pow(10, places);
        return Math.round(value * scale) / scale;
    }
}
