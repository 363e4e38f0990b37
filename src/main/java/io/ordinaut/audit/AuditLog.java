package io.ordinaut.audit;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import tools.jackson.databind.json.JsonMapper;

/**
 * Writes audit rows. Details hold ids, statuses and path variables — never request bodies, which may
 * carry secrets.
 */
@Component
public class AuditLog {

    private static final String INSERT = """
            INSERT INTO audit_log (actor, action, subject_id, details, request_id, method, path, status, at)
            VALUES (:actor, :action, :subject, CAST(:details AS jsonb), :requestId, :method, :path, :status, :at)
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
                .update();
    }
}
