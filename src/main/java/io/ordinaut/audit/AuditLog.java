package io.ordinaut.audit;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.GroupCommit;

/**
 * Writes audit rows. Details hold ids, statuses and path variables — never request bodies, which may
 * carry secrets. Refused calls without a known caller (401) are counted into one row per client address
 * and minute ({@code repeat_count}), so a flood of bad tokens adds at most one row a minute per address.
 */
@Component
public class AuditLog {

    /** The rows of concurrent calls, in the order they were recorded. */
    private static final String INSERT = """
            INSERT INTO audit_log (actor, action, subject_id, details, request_id, method, path, status, at, client_address)
            SELECT actor, action, subject_id, CAST(details AS jsonb), request_id, method, path, status, at, client_address
              FROM ROWS FROM (json_to_recordset(CAST(:rows AS json))
                   AS (actor uuid, action text, subject_id text, details json, request_id text, method text, path text,
                       status integer, at timestamptz, client_address text)) WITH ORDINALITY
                   AS r(actor, action, subject_id, details, request_id, method, path, status, at, client_address, i)
             ORDER BY i
            """;
    /** Most rows written by one statement. */
    private static final int MAX_ROWS_PER_INSERT = 500;
    /**
     * The row describes the latest refused call of its minute (action, subject, path, request id, time)
     * and counts them all.
     */
    private static final String COUNT_REFUSAL = """
            INSERT INTO audit_log (actor, action, subject_id, details, request_id, method, path, status, at, client_address, window_start)
            VALUES (NULL, :action, :subject, CAST(:details AS jsonb), :requestId, :method, :path, :status, :at, :client, :window)
            ON CONFLICT (client_address, window_start) WHERE window_start IS NOT NULL AND actor IS NULL DO UPDATE
               SET repeat_count = audit_log.repeat_count + 1, action = EXCLUDED.action, subject_id = EXCLUDED.subject_id,
                   request_id = EXCLUDED.request_id, method = EXCLUDED.method, path = EXCLUDED.path, status = EXCLUDED.status,
                   details = EXCLUDED.details, at = EXCLUDED.at
            """;
    /** The same per agent: the latest refusal's address is kept with the rest of the latest's fields. */
    private static final String COUNT_AGENT_REFUSAL = """
            INSERT INTO audit_log (actor, action, subject_id, details, request_id, method, path, status, at, client_address, window_start)
            VALUES (:actor, :action, :subject, CAST(:details AS jsonb), :requestId, :method, :path, :status, :at, :client, :window)
            ON CONFLICT (actor, window_start) WHERE window_start IS NOT NULL AND actor IS NOT NULL DO UPDATE
               SET repeat_count = audit_log.repeat_count + 1, action = EXCLUDED.action, subject_id = EXCLUDED.subject_id,
                   request_id = EXCLUDED.request_id, method = EXCLUDED.method, path = EXCLUDED.path, status = EXCLUDED.status,
                   details = EXCLUDED.details, at = EXCLUDED.at, client_address = EXCLUDED.client_address
            """;

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;
    private final GroupCommit<Map<String, Object>, Boolean> rows;

    AuditLog(JdbcClient jdbc, JsonMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
        // Rows of concurrent calls share one statement and one commit; each call still returns only once its row is durable.
        this.rows = new GroupCommit<>(this::insertAll, GroupCommit::unlessDatabaseUnreachable, MAX_ROWS_PER_INSERT, 1);
    }

    public void record(UUID actor, String action, String subjectId, Map<String, ?> details, String requestId, String method,
                       String path, int status) {
        record(actor, action, subjectId, details, requestId, method, path, status, null);
    }

    public void record(UUID actor, String action, String subjectId, Map<String, ?> details, String requestId, String method,
                       String path, int status, String clientAddress) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("actor", actor);
        row.put("action", action);
        row.put("subject_id", subjectId);
        row.put("details", details);
        row.put("request_id", requestId);
        row.put("method", method);
        row.put("path", path);
        row.put("status", status);
        row.put("at", clock.instant().toString());
        row.put("client_address", clientAddress);
        rows.submit(row);
    }

    private List<Boolean> insertAll(List<Map<String, Object>> batch) {
        jdbc.sql(INSERT).param("rows", json.writeValueAsString(batch)).update();
        return Collections.nCopies(batch.size(), Boolean.TRUE);
    }

    /** Counts one unauthenticated refusal into its address's row for the current minute. */
    public void countRefusal(String clientAddress, String action, String subjectId, String requestId, String method, String path,
                             int status) {
        countInWindow(COUNT_REFUSAL, null, clientAddress, action, subjectId, requestId, method, path, status);
    }

    /** Counts a refusal of an agent over its budget into its row of the minute. */
    public void countAgentRefusal(UUID actor, String clientAddress, String action, String subjectId, String requestId,
                                  String method, String path, int status) {
        countInWindow(COUNT_AGENT_REFUSAL, actor, clientAddress, action, subjectId, requestId, method, path, status);
    }

    private void countInWindow(String sql, UUID actor, String clientAddress, String action, String subjectId, String requestId,
                               String method, String path, int status) {
        Instant now = clock.instant();
        jdbc.sql(sql)
                .param("actor", actor)
                .param("action", action)
                .param("subject", subjectId)
                .param("details", json.writeValueAsString(Map.of("status", status, "aggregated_per", "minute")))
                .param("requestId", requestId)
                .param("method", method)
                .param("path", path)
                .param("status", status)
                .param("at", Timestamp.from(now))
                .param("client", clientAddress)
                .param("window", Timestamp.from(now.truncatedTo(ChronoUnit.MINUTES)))
                .update();
    }
}
