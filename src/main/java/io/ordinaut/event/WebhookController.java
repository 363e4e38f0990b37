package io.ordinaut.event;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.ordinaut.JsonFields;
import io.ordinaut.NotFoundException;
import io.ordinaut.web.PageBody;
import io.ordinaut.web.QueryParams;
import io.ordinaut.web.RequiresScope;
import io.ordinaut.web.Scopes;

/**
 * POST /agents/{id}/webhook_secret (admin): creates or rotates the secret webhooks to the agent's
 * webhook_url are signed with, shown in this answer only, and sets which run outcomes it receives
 * ({@code events}: {@code all} or {@code failures}). Webhooks are sent only once the agent has a secret; a
 * rotated one signs the retries of deliveries already pending too (they read the agent at each attempt).
 * GET /agents/{id}/webhook_deliveries (admin) pages through the deliveries, newest first, with their outcome.
 */
@RestController
@Tag(name = "agents")
class WebhookController {

    private static final List<String> EVENTS = List.of("all", "failures");
    private static final String ROTATE = """
            UPDATE agent SET webhook_secret = :secret, webhook_events = coalesce(:events, webhook_events) WHERE id = :id
            RETURNING webhook_events, webhook_url
            """;

    private static final String DELIVERIES = """
            SELECT outbox_id, url, body ->> 'type' AS type, body ->> 'run_id' AS run_id, status, attempts, last_error,
                   created_at, next_at
              FROM webhook_delivery WHERE agent_id = :id
             ORDER BY created_at DESC, outbox_id DESC LIMIT :limit OFFSET :offset
            """;
    private static final String DELIVERY_COUNT = "SELECT count(*) FROM webhook_delivery WHERE agent_id = :id";
    private static final String AGENT_EXISTS = "SELECT EXISTS (SELECT 1 FROM agent WHERE id = :id)";

    private final JdbcClient jdbc;

    WebhookController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The agent's latest webhook deliveries: pending (with the next attempt), delivered, failed with the error, or
     * canceled because the agent's webhook_url was removed.
     */
    @RequiresScope(Scopes.ADMIN)
    @GetMapping("/agents/{id}/webhook_deliveries")
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Page size (default 100)", schema = @Schema(type = "integer", minimum = "1", maximum = "1000", defaultValue = "100"))
    @Parameter(name = "offset", in = ParameterIn.QUERY, description = "Rows to skip (default 0)", schema = @Schema(type = "integer", minimum = "0", defaultValue = "0"))
    @Operation(operationId = "listWebhookDeliveries", summary = "List an agent's latest webhook deliveries")
    Map<String, Object> deliveries(@PathVariable String id, @RequestParam MultiValueMap<String, String> query) {
        UUID agent = agentId(id);
        if (!jdbc.sql(AGENT_EXISTS).param("id", agent).query(Boolean.class).single()) {
            throw new NotFoundException("Agent", id);
        }
        QueryParams q = QueryParams.of(query);
        int limit = q.integer("limit", 1, 1000, 100);
        int offset = q.offset();
        List<Map<String, Object>> items = jdbc.sql(DELIVERIES).param("id", agent).param("limit", limit).param("offset", offset)
                .query((rs, n) -> delivery(rs)).list();
        long total = jdbc.sql(DELIVERY_COUNT).param("id", agent).query(Long.class).single();
        return PageBody.of(items, total, limit, offset);
    }

    private static Map<String, Object> delivery(ResultSet rs) throws SQLException {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("outbox_id", rs.getLong("outbox_id"));
        d.put("type", rs.getString("type"));
        d.put("run_id", rs.getString("run_id"));
        d.put("url", rs.getString("url"));
        d.put("status", rs.getString("status"));
        d.put("attempts", rs.getInt("attempts"));
        d.put("last_error", rs.getString("last_error"));
        d.put("created_at", rs.getTimestamp("created_at").toInstant().toString());
        d.put("next_attempt_at", "pending".equals(rs.getString("status"))
                ? rs.getTimestamp("next_at").toInstant().toString() : null);
        return d;
    }

    @RequiresScope(Scopes.ADMIN)
    @PostMapping("/agents/{id}/webhook_secret")
    @Operation(operationId = "rotateWebhookSecret", summary = "Create or rotate an agent's webhook secret (shown once)",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = false,
            content = @Content(schema = @Schema(implementation = WebhookSecretRequest.class))))
    Map<String, Object> rotate(@PathVariable String id, @RequestBody(required = false) Object body) {
        UUID agent = agentId(id);
        String events = body == null ? null : JsonFields.of(body).allowOnly(List.of("events")).oneOf("events", EVENTS);
        String secret = WebhookSignature.newSecret();
        List<Map<String, Object>> rows = jdbc.sql(ROTATE).param("secret", secret).param("events", events).param("id", agent)
                .query().listOfRows();
        if (rows.isEmpty()) {
            throw new NotFoundException("Agent", id);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("agent_id", agent.toString());
        out.put("webhook_secret", secret);
        out.put("webhook_events", rows.get(0).get("webhook_events"));
        out.put("webhook_url", rows.get(0).get("webhook_url"));
        out.put("message", "Store this secret now: it is shown only once. Webhooks are signed with it from now on.");
        return out;
    }

    /** A malformed id names no agent: 404, as on every other id route (GET /agents/{id}). */
    private static UUID agentId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new NotFoundException("Agent", id);
        }
    }
}
