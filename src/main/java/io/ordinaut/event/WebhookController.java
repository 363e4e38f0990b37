package io.ordinaut.event;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.ordinaut.JsonFields;
import io.ordinaut.NotFoundException;
import io.ordinaut.web.ApiException;
import io.ordinaut.web.RequiresScope;
import io.ordinaut.web.Scopes;

/**
 * POST /agents/{id}/webhook_secret (admin): creates or rotates the secret webhooks to the agent's
 * webhook_url are signed with, shown in this answer only, and sets which run outcomes it receives
 * ({@code events}: {@code all} or {@code failures}). Webhooks are sent only once the agent has a secret.
 */
@RestController
class WebhookController {

    private static final List<String> EVENTS = List.of("all", "failures");
    private static final String ROTATE = """
            UPDATE agent SET webhook_secret = :secret, webhook_events = coalesce(:events, webhook_events) WHERE id = :id
            RETURNING webhook_events, webhook_url
            """;

    private final JdbcClient jdbc;

    WebhookController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @RequiresScope(Scopes.ADMIN)
    @PostMapping("/agents/{id}/webhook_secret")
    Map<String, Object> rotate(@PathVariable String id, @RequestBody(required = false) Object body) {
        UUID agent;
        try {
            agent = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("id", "agent id must be a UUID");
        }
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
}
