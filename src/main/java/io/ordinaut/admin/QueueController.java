package io.ordinaut.admin;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.ordinaut.queue.ExecutorProperties;
import io.ordinaut.queue.StatusSql;
import io.ordinaut.web.PageBody;
import io.ordinaut.web.QueryParams;
import io.ordinaut.web.RequiresScope;
import io.ordinaut.web.Scopes;

/**
 * GET /admin/queue: the run queue at a glance (one read-only transaction, so the figures agree with each
 * other), and GET /admin/misfires: the ledger of occurrences skipped or coalesced because no scheduler
 * fired them in time.
 */
@RestController
@Tag(name = "admin")
@RequiresScope(Scopes.ADMIN)
class QueueController {

    /** At most this many concurrency keys are listed (the busiest first). */
    static final int KEYS_SHOWN = 100;

    private static final String BY_PRIORITY = """
            SELECT priority,
                   count(*) FILTER (WHERE locked_by IS NULL AND run_at <= now()) AS due,
                   count(*) FILTER (WHERE locked_by IS NULL AND run_at > now()) AS waiting,
                   count(*) FILTER (WHERE locked_by IS NOT NULL) AS running,
                   EXTRACT(EPOCH FROM now() - min(run_at) FILTER (WHERE locked_by IS NULL AND run_at <= now())) AS oldest_due_age
              FROM due_work GROUP BY priority ORDER BY priority
            """;

    private static final String OLDEST_DUE = """
            SELECT id, task_id, run_at, priority, attempt, EXTRACT(EPOCH FROM now() - run_at) AS age
              FROM due_work WHERE locked_by IS NULL AND run_at <= now() AND attempt > 0
             ORDER BY run_at, id LIMIT 1
            """;

    /** The holder's state as GET /workers shows it: a node silent for three heartbeats is lost, whatever it last wrote. */
    private static final String LEASES = """
            SELECT d.locked_by, count(*) AS leases, count(*) FILTER (WHERE d.locked_until < now()) AS expired,
                   min(d.started_at) AS oldest_started_at, w.last_seen, """ + StatusSql.workerState("w") + """
             AS worker_state
              FROM due_work d LEFT JOIN worker_heartbeat w ON w.node_id = d.locked_by
             WHERE d.locked_by IS NOT NULL
             GROUP BY d.locked_by, w.state, w.last_seen ORDER BY d.locked_by
            """;

    private static final String DEAD = StatusSql.of("""
            SELECT count(*) AS total, count(*) FILTER (WHERE created_at > now() - interval '24 hours') AS last_24h,
                   max(created_at) AS latest_at
              FROM task_run WHERE status = {run:dead}
            """);

    private static final String KEYS_AT_LIMIT = """
            SELECT s.key, s.running, d.max_limit, d.due
              FROM concurrency_slot s
              JOIN (SELECT concurrency_key, max(concurrency_limit) AS max_limit,
                           count(*) FILTER (WHERE locked_by IS NULL AND run_at <= now()) AS due
                      FROM due_work WHERE concurrency_key IS NOT NULL GROUP BY concurrency_key) d ON d.concurrency_key = s.key
             WHERE s.running >= d.max_limit
             ORDER BY d.due DESC, s.key LIMIT :limit
            """;

    private static final String MISFIRE_FILTER = """
             WHERE (CAST(:taskId AS uuid) IS NULL OR m.task_id = :taskId)
               AND (CAST(:since AS timestamptz) IS NULL OR m.recorded_at >= :since)
            """;
    private static final String MISFIRES = """
            SELECT m.id, m.task_id, t.title, m.first_missed, m.last_missed, m.missed_count, m.caught_up_for, m.reason, m.recorded_at
              FROM missed_occurrence m LEFT JOIN task t ON t.id = m.task_id""" + MISFIRE_FILTER
            + " ORDER BY m.recorded_at DESC, m.id DESC LIMIT :limit OFFSET :offset";
    private static final String MISFIRE_COUNT = "SELECT count(*) FROM missed_occurrence m" + MISFIRE_FILTER;

    private final JdbcClient jdbc;
    private final Clock clock;
    private final ExecutorProperties executor;

    QueueController(JdbcClient jdbc, Clock clock, ExecutorProperties executor) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.executor = executor;
    }

    @GetMapping("/admin/queue")
    @Transactional(readOnly = true)
    @Operation(operationId = "getQueue", summary = "The run queue: depth by priority and status, oldest due run, leases, dead letters, saturated concurrency keys")
    Map<String, Object> queue() {
        Map<String, Object> body = new LinkedHashMap<>();
        long[] totals = new long[3];
        List<Map<String, Object>> byPriority = jdbc.sql(BY_PRIORITY).query((rs, i) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            long due = rs.getLong("due");
            long waiting = rs.getLong("waiting");
            long running = rs.getLong("running");
            totals[0] += due;
            totals[1] += waiting;
            totals[2] += running;
            row.put("priority", rs.getInt("priority"));
            row.put("depth", due + waiting + running);
            row.put("due", due);
            row.put("waiting", waiting);
            row.put("running", running);
            // 0 when none of the priority is due, as the top-level oldest_waiting_age_seconds and the gauge say
            Double oldestDue = seconds(rs.getObject("oldest_due_age"));
            row.put("oldest_due_age_seconds", oldestDue == null ? 0.0 : oldestDue);
            return row;
        }).list();
        body.put("depth", totals[0] + totals[1] + totals[2]);
        Map<String, Object> byStatus = new LinkedHashMap<>();
        byStatus.put("due", totals[0]);
        byStatus.put("waiting", totals[1]);
        byStatus.put("running", totals[2]);
        body.put("by_status", byStatus);
        body.put("by_priority", byPriority);
        Map<String, Object> oldest = jdbc.sql(OLDEST_DUE).query((rs, i) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("run_id", rs.getObject("id", UUID.class));
            row.put("task_id", rs.getObject("task_id", UUID.class));
            row.put("run_at", rs.getTimestamp("run_at").toInstant());
            row.put("priority", rs.getInt("priority"));
            row.put("attempt", rs.getInt("attempt"));
            row.put("age_seconds", seconds(rs.getObject("age")));
            return row;
        }).optional().orElse(null);
        body.put("oldest_waiting_age_seconds", oldest == null ? 0.0 : oldest.get("age_seconds"));
        body.put("oldest_waiting", oldest);
        body.put("leases_by_node", jdbc.sql(LEASES).param("lostAfterSeconds", executor.lostAfterSeconds()).query((rs, i) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("node_id", rs.getString("locked_by"));
            row.put("leases", rs.getLong("leases"));
            row.put("expired", rs.getLong("expired"));
            Timestamp started = rs.getTimestamp("oldest_started_at");
            row.put("oldest_started_at", started == null ? null : started.toInstant());
            row.put("worker_state", rs.getString("worker_state"));
            Timestamp seen = rs.getTimestamp("last_seen");
            row.put("last_heartbeat", seen == null ? null : seen.toInstant());
            return row;
        }).list());
        body.put("dead_letters", jdbc.sql(DEAD).query((rs, i) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("total", rs.getLong("total"));
            row.put("last_24h", rs.getLong("last_24h"));
            Timestamp latest = rs.getTimestamp("latest_at");
            row.put("latest_at", latest == null ? null : latest.toInstant());
            return row;
        }).single());
        body.put("concurrency_keys_at_limit", jdbc.sql(KEYS_AT_LIMIT).param("limit", KEYS_SHOWN).query((rs, i) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("key", rs.getString("key"));
            row.put("running", rs.getInt("running"));
            row.put("limit", rs.getInt("max_limit"));
            row.put("due", rs.getLong("due"));
            return row;
        }).list());
        body.put("measured_at", clock.instant());
        return body;
    }

    @GetMapping("/admin/misfires")
    @Parameter(name = "task_id", in = ParameterIn.QUERY, description = "Only this task's misfires", schema = @Schema(type = "string", format = "uuid"))
    @Parameter(name = "since", in = ParameterIn.QUERY, description = "Only entries recorded at or after this instant", schema = @Schema(type = "string", format = "date-time"))
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Page size (default 100)", schema = @Schema(type = "integer", minimum = "1", maximum = "1000", defaultValue = "100"))
    @Parameter(name = "offset", in = ParameterIn.QUERY, description = "Rows to skip (default 0)", schema = @Schema(type = "integer", minimum = "0", defaultValue = "0"))
    @Operation(operationId = "listMisfires", summary = "List occurrences skipped or coalesced because no scheduler fired them in time, newest first")
    Map<String, Object> misfires(@RequestParam MultiValueMap<String, String> query) {
        QueryParams q = QueryParams.of(query);
        UUID taskId = q.uuid("task_id");
        Instant since = q.instant("since");
        int limit = q.integer("limit", 1, 1000, 100);
        int offset = q.offset();
        Timestamp sinceTs = since == null ? null : Timestamp.from(since);
        List<Map<String, Object>> items = jdbc.sql(MISFIRES).param("taskId", taskId).param("since", sinceTs)
                .param("limit", limit).param("offset", offset).query((rs, i) -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    Timestamp caughtUp = rs.getTimestamp("caught_up_for");
                    row.put("id", rs.getLong("id"));
                    row.put("task_id", rs.getObject("task_id", UUID.class));
                    row.put("task_title", rs.getString("title"));
                    row.put("intended_at", rs.getTimestamp("first_missed").toInstant());
                    row.put("first_missed", rs.getTimestamp("first_missed").toInstant());
                    row.put("last_missed", rs.getTimestamp("last_missed").toInstant());
                    row.put("missed_count", rs.getInt("missed_count"));
                    row.put("outcome", caughtUp == null ? "skipped" : "coalesced");
                    row.put("caught_up_for", caughtUp == null ? null : caughtUp.toInstant());
                    row.put("reason", rs.getString("reason"));
                    row.put("recorded_at", rs.getTimestamp("recorded_at").toInstant());
                    return row;
                }).list();
        long total = jdbc.sql(MISFIRE_COUNT).param("taskId", taskId).param("since", sinceTs).query(Long.class).single();
        return PageBody.of(items, total, limit, offset);
    }

    private static Double seconds(Object epochSeconds) {
        return epochSeconds == null ? null : Math.round(((Number) epochSeconds).doubleValue() * 1000) / 1000.0;
    }
}
