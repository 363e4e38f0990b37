package io.ordinaut.audit;

import java.sql.Timestamp;
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
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.ordinaut.StoredJson;
import io.ordinaut.web.PageBody;
import io.ordinaut.web.QueryParams;
import io.ordinaut.web.RequiresScope;
import io.ordinaut.web.Scopes;
import tools.jackson.core.type.TypeReference;

/** GET /audit: the audit log, newest first (admin only). */
@RestController
@Tag(name = "audit")
class AuditController {

    // action is a plain substring, case-insensitive: strpos, not ILIKE, so '%' and '_' in it match themselves.
    private static final String FILTER = """
             WHERE (CAST(:actor AS uuid) IS NULL OR actor = :actor)
               AND (CAST(:action AS text) IS NULL OR strpos(lower(action), lower(:action)) > 0)
               AND (CAST(:subject AS text) IS NULL OR subject_id = :subject)
               AND (CAST(:since AS timestamptz) IS NULL OR at >= :since)
               AND (CAST(:until AS timestamptz) IS NULL OR at < :until)
            """;
    private static final String PAGE = """
            SELECT id, actor, action, subject_id, CAST(details AS text) AS details, request_id, method, path, status, at,
                   client_address, repeat_count
              FROM audit_log""" + FILTER + " ORDER BY at DESC, id DESC LIMIT :limit OFFSET :offset";
    private static final String COUNT = "SELECT count(*) FROM audit_log" + FILTER;

    private final JdbcClient jdbc;

    AuditController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @GetMapping("/audit")
    @RequiresScope(Scopes.ADMIN)
    @Parameter(name = "actor", in = ParameterIn.QUERY, description = "Only entries of this agent", schema = @Schema(type = "string", format = "uuid"))
    @Parameter(name = "action", in = ParameterIn.QUERY, description = "Only entries of this action", schema = @Schema(type = "string"))
    @Parameter(name = "subject_id", in = ParameterIn.QUERY, description = "Only entries about this id", schema = @Schema(type = "string"))
    @Parameter(name = "since", in = ParameterIn.QUERY, description = "Only entries at or after this instant", schema = @Schema(type = "string", format = "date-time"))
    @Parameter(name = "until", in = ParameterIn.QUERY, description = "Only entries before this instant", schema = @Schema(type = "string", format = "date-time"))
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Page size (default 100)", schema = @Schema(type = "integer", minimum = "1", maximum = "1000", defaultValue = "100"))
    @Parameter(name = "offset", in = ParameterIn.QUERY, description = "Rows to skip (default 0)", schema = @Schema(type = "integer", minimum = "0", defaultValue = "0"))
    @Operation(operationId = "listAuditEntries", summary = "List audit log entries, newest first")
    Map<String, Object> list(@RequestParam MultiValueMap<String, String> query) {
        QueryParams q = QueryParams.of(query);
        UUID actor = q.uuid("actor");
        String action = q.string("action");
        String subject = q.string("subject_id");
        Instant since = q.instant("since");
        Instant until = q.instant("until");
        int limit = q.integer("limit", 1, 1000, 100);
        int offset = q.offset();
        List<Map<String, Object>> items = jdbc.sql(PAGE)
                .param("actor", actor).param("action", action).param("subject", subject)
                .param("since", since == null ? null : Timestamp.from(since))
                .param("until", until == null ? null : Timestamp.from(until))
                .param("limit", limit).param("offset", offset)
                .query((rs, i) -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("id", rs.getLong("id"));
                    row.put("actor", rs.getObject("actor", UUID.class));
                    row.put("action", rs.getString("action"));
                    row.put("subject_id", rs.getString("subject_id"));
                    String details = rs.getString("details");
                    row.put("details", details == null ? null : StoredJson.READER.readValue(details, new TypeReference<Map<String, Object>>() { }));
                    row.put("request_id", rs.getString("request_id"));
                    row.put("method", rs.getString("method"));
                    row.put("path", rs.getString("path"));
                    row.put("status", rs.getObject("status"));
                    row.put("at", rs.getTimestamp("at").toInstant());
                    row.put("client_address", rs.getString("client_address"));
                    row.put("count", rs.getInt("repeat_count"));
                    return row;
                }).list();
        long total = jdbc.sql(COUNT).param("actor", actor).param("action", action).param("subject", subject)
                .param("since", since == null ? null : Timestamp.from(since))
                .param("until", until == null ? null : Timestamp.from(until))
                .query(Long.class).single();
        return PageBody.of(items, total, limit, offset);
    }
}
