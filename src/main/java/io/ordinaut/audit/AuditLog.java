package io.ordinaut.audit;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import tools.jackson.databind.json.JsonMapper;

/**
 * Writes audit rows. Details hold ids, statuses and path variables — never request bodies, which may
 * carry secrets. Refused calls without a known caller (401) are counted into one row per client address
 * and minute ({@code repeat_count}), so a flood of bad tokens adds at most one row a minute per address.
 */
@Component
public class AuditLog {

    private static final String INSERT = """
            INSERT INTO audit_log (actor, action, subject_id, details, request_id, method, path, status, at, client_address)
            VALUES (:actor, :action, :subject, CAST(:details AS jsonb), :requestId, :method, :path, :status, :at, :client)
            """;
    /**
     * The row describes the latest refused call of its minute (action, subject, path, request id, time)
     * and counts them all.
     */
    private static final String COUNT_REFUSAL = """
            INSERT INTO audit_log (actor, action, subject_id, details, request_id, method, path, status, at, client_address, window_start)
            VALUES (NULL, :action, :subject, CAST(:details AS jsonb), :requestId, :method, :path, :status, :at, :client, :window)
            ON CONFLICT (client_address, window_start) WHERE window_start IS NOT NULL DO UPDATE
               SET repeat_count = audit_log.repeat_count + 1, action = EXCLUDED.action, subject_id = EXCLUDED.subject_id,
                   request_id = EXCLUDED.request_id, method = EXCLUDED.method, path = EXCLUDED.path, at = EXCLUDED.at
            """;

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;

    AuditLog(JdbcClient jdbc, JsonMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
    }

    public void record(UUID actor, String action, String subjectId, Map<String, ?> details, String requestId, String method,
                       String path, int status) {
        record(actor, action, subjectId, details, requestId, method, path, status, null);
    }

    public void record(UUID actor, String action, String subjectId, Map<String, ?> details, String requestId, String method,
                       String path, int status, String clientAddress) {
        jdbc.sql(INSERT)
                .param("actor", actor)
                .param("action", action)
                .param("subject", subjectId)
                .param("details", json.writeValueAsString(details))
                .param("requestId", requestId)
                .param("method", method)
                .param("path", path)
                .param("status", status)
                .param("at", Timestamp.from(clock.instant()))
                .param("client", clientAddress)
                .update();
    }

    /** Counts one unauthenticated refusal into its address's row for the current minute. */
    public void countRefusal(String clientAddress, String action, String subjectId, String requestId, String method, String path,
                             int status) {
        Instant now = clock.instant();
        jdbc.sql(COUNT_REFUSAL)
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
