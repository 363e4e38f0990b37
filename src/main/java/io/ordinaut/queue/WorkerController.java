package io.ordinaut.queue;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.ordinaut.web.Caller;
import io.ordinaut.web.PageBody;
import io.ordinaut.web.QueryParams;
import io.ordinaut.web.RequiresScope;
import io.ordinaut.web.Scopes;

/**
 * GET /workers: every node's heartbeat with its state — {@code running}, {@code draining} (shutting
 * down), {@code stopped}, or {@code lost} (a running node silent for three heartbeat intervals).
 * Filter with {@code state}; paged with limit/offset like every list. Host names and process ids say
 * where the cluster runs, which is the operator's business: only admins see them, everyone else gets
 * them as null.
 */
@RestController
@Tag(name = "admin")
class WorkerController {

    static final List<String> STATES = List.of("running", "draining", "stopped", "lost");

    /**
     * A node's in_flight is what it last wrote; a lost node writes no more, and its leases are reclaimed by the others,
     * so its runs in flight are the leases it still holds.
     */
    private static final String ROWS = "SELECT w.*, CASE WHEN shown_state = 'lost'"
            + " THEN (SELECT count(*) FROM due_work d WHERE d.locked_by = w.node_id) ELSE w.in_flight END AS shown_in_flight"
            + " FROM (SELECT h.*, " + StatusSql.workerState("h") + " AS shown_state FROM worker_heartbeat h) w";
    private static final String PAGE = "SELECT * FROM (" + ROWS + ") w WHERE (CAST(:state AS text) IS NULL OR shown_state = :state)"
            + " ORDER BY node_id LIMIT :limit OFFSET :offset";
    private static final String COUNT = "SELECT count(*) FROM (" + ROWS + ") w WHERE (CAST(:state AS text) IS NULL OR shown_state = :state)";

    private final JdbcClient jdbc;
    private final ExecutorProperties properties;

    WorkerController(JdbcClient jdbc, ExecutorProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
    }

    @RequiresScope(Scopes.RUNS_READ)
    @GetMapping("/workers")
    @Parameter(name = "state", in = ParameterIn.QUERY, description = "Only nodes in this state", schema = @Schema(type = "string"))
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Page size (default 50)", schema = @Schema(type = "integer", minimum = "1", maximum = "200", defaultValue = "50"))
    @Parameter(name = "offset", in = ParameterIn.QUERY, description = "Rows to skip (default 0)", schema = @Schema(type = "integer", minimum = "0", defaultValue = "0"))
    @Operation(operationId = "listWorkers", summary = "List the nodes of the cluster and their state")
    Map<String, Object> list(@RequestParam MultiValueMap<String, String> query, Caller caller) {
        QueryParams q = QueryParams.of(query);
        String state = q.oneOf("state", STATES);
        int limit = q.integer("limit", 1, 200, 50);
        int offset = q.offset();
        double lostAfter = properties.lostAfterSeconds();
        List<WorkerView> items = jdbc.sql(PAGE)
                .param("lostAfterSeconds", lostAfter).param("state", state).param("limit", limit).param("offset", offset)
                .query(WorkerController::map).list();
        if (!caller.isAdmin()) {
            items = items.stream().map(WorkerView::withoutPlacement).toList();
        }
        long total = jdbc.sql(COUNT).param("lostAfterSeconds", lostAfter).param("state", state).query(Long.class).single();
        return PageBody.of(items, total, limit, offset);
    }

    private static WorkerView map(ResultSet rs, int row) throws SQLException {
        return new WorkerView(rs.getString("node_id"), rs.getString("host"), rs.getLong("pid"),
                Arrays.stream(rs.getString("roles").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(),
                rs.getString("shown_state"), rs.getTimestamp("started_at").toInstant(), rs.getTimestamp("last_seen").toInstant(),
                rs.getInt("shown_in_flight"), rs.getLong("processed"));
    }

    /** A node as GET /workers shows it (snake_case on the wire). */
    record WorkerView(String nodeId, String host, Long pid, List<String> roles, String state, Instant startedAt,
                      Instant lastSeen, int inFlight, long processed) {

        WorkerView withoutPlacement() {
            return new WorkerView(nodeId, null, null, roles, state, startedAt, lastSeen, inFlight, processed);
        }
    }
}
