package io.ordinaut.event;

import java.io.IOException;
import java.net.URI;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.StoredJson;
import io.ordinaut.tool.CheckedPost;
import io.ordinaut.tool.ToolCallException;
import io.ordinaut.tool.ToolRouter;

/**
 * Webhooks: the run outcomes of an agent's tasks, POSTed to its webhook_url, signed (see
 * {@link WebhookSignature}). Two steps per round. Scheduling reads the sequenced outbox after the
 * {@code webhooks} cursor (the cursor row's lock makes it one node at a time) and adds one delivery per
 * outcome the agent asked for (all, or failures: run.failed and run.dead). Delivering takes due
 * deliveries with SKIP LOCKED, so nodes share the work, checks the URL against the tools' egress
 * policy, and POSTs; a failure is retried with exponential backoff (1 s, 2 s, 4 s … at most 5 min)
 * until ordinaut.events.webhook-retry-for has passed, then recorded as failed. A refused destination
 * fails at once. Every attempt goes to the agent's webhook_url and is signed with its secret as they are
 * at that moment, so a changed URL or a rotated secret applies to retries too; an agent whose webhook_url
 * was removed gets no more requests, its pending deliveries end as canceled (the agent trigger of
 * db/changelog/028-webhook-follows-agent.sql usually does that first, at the moment of the change).
 */
final class DeliverWebhooks implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(DeliverWebhooks.class);
    private static final int BATCH = 1000;
    private static final int DELIVER_BATCH = 20;
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    /** As the agent trigger of 028-webhook-follows-agent.sql words it. */
    private static final String REMOVED = "canceled: the agent's webhook_url was removed";

    private static final String CURSOR = """
            SELECT w.seq AS after, s.seq AS sequenced,
                   EXISTS (SELECT 1 FROM agent WHERE webhook_url IS NOT NULL AND webhook_secret IS NOT NULL) AS wanted
              FROM outbox_cursor w, outbox_cursor s
             WHERE w.name = 'webhooks' AND s.name = 'sequence'
               FOR UPDATE OF w SKIP LOCKED
            """;
    /** The run outcomes at positions (after, upto], read as in {@link OutboxReader#BETWEEN}. */
    private static final String SCHEDULE = """
            INSERT INTO webhook_delivery (outbox_id, agent_id, url, body, next_at, deliver_until)
            SELECT s.seq, a.id, a.webhook_url,
                   jsonb_build_object('outbox_id', s.seq, 'type', s.type) || s.body,
                   CAST(:now AS timestamptz), CAST(:until AS timestamptz)
              FROM (SELECT o.seq + e.ord - 1 AS seq, e.x ->> 'type' AS type, CAST(e.x ->> 'task_id' AS uuid) AS task_id,
                           CAST(e.x -> 'body' AS jsonb) AS body
                      FROM outbox o CROSS JOIN LATERAL json_array_elements(o.entries) WITH ORDINALITY AS e(x, ord)
                     WHERE o.stream = 'runs' AND o.last_seq > :after AND o.last_seq < :upto + 1000 AND o.seq <= :upto
                       AND o.seq + e.ord - 1 > :after AND o.seq + e.ord - 1 <= :upto) s
              JOIN task t ON t.id = s.task_id JOIN agent a ON a.id = t.created_by
             WHERE s.type IN ('run.succeeded', 'run.failed', 'run.dead', 'run.skipped', 'run.canceled')
               AND a.webhook_url IS NOT NULL AND a.webhook_secret IS NOT NULL
               AND (a.webhook_events = 'all' OR s.type IN ('run.failed', 'run.dead'))
            ON CONFLICT DO NOTHING
            """;
    private static final String ADVANCE = "UPDATE outbox_cursor SET seq = :upto WHERE name = 'webhooks'";
    private static final String DUE = """
            SELECT d.outbox_id, d.agent_id, a.webhook_url AS url, d.body::text AS body, d.attempts, d.deliver_until,
                   a.webhook_secret
              FROM webhook_delivery d LEFT JOIN agent a ON a.id = d.agent_id
             WHERE d.status = 'pending' AND d.next_at <= :now
             ORDER BY d.next_at LIMIT :batch
             FOR UPDATE OF d SKIP LOCKED
            """;
    private static final String DELIVERED = """
            UPDATE webhook_delivery SET status = 'delivered', url = :url, attempts = attempts + 1, last_error = NULL
             WHERE outbox_id = :outbox AND agent_id = :agent
            """;
    private static final String FAILED = """
            UPDATE webhook_delivery
               SET url = :url, attempts = attempts + 1, last_error = :error, next_at = :next,
                   status = CASE WHEN :final THEN 'failed' ELSE 'pending' END
             WHERE outbox_id = :outbox AND agent_id = :agent
            """;
    private static final String CANCELED = """
            UPDATE webhook_delivery SET status = 'canceled', last_error = :error, next_at = :now
             WHERE outbox_id = :outbox AND agent_id = :agent
            """;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final EventProperties properties;
    private final Clock clock;
    private final CheckedPost http;
    private final JsonMapper json;

    DeliverWebhooks(JdbcClient jdbc, TransactionTemplate tx, ToolRouter egress, EventProperties properties, Clock clock,
                    JsonMapper json) {
        this.json = json;
        this.jdbc = jdbc;
        this.tx = tx;
        this.properties = properties;
        this.clock = clock;
        // pinned to the addresses the egress check accepted; redirects are not followed
        this.http = egress.checkedPost(properties.webhookTimeout());
    }

    @Override
    public void run() {
        schedule();
        int n;
        do {
            Integer done = tx.execute(s -> deliverDue());
            n = done == null ? 0 : done;
        } while (n == DELIVER_BATCH);
    }

    private void schedule() {
        Boolean more;
        do {
            more = tx.execute(s -> {
                Map<String, Object> cursor = jdbc.sql(CURSOR).query().listOfRows().stream().findFirst().orElse(null);
                if (cursor == null) {
                    return false; // another node schedules
                }
                long after = ((Number) cursor.get("after")).longValue();
                long sequenced = ((Number) cursor.get("sequenced")).longValue();
                if (after >= sequenced) {
                    return false;
                }
                // Without any agent's webhook there is nothing to read: the cursor just moves on.
                boolean wanted = Boolean.TRUE.equals(cursor.get("wanted"));
                long upto = wanted ? Math.min(sequenced, after + BATCH) : sequenced;
                if (wanted) {
                    Instant now = clock.instant();
                    jdbc.sql(SCHEDULE).param("after", after).param("upto", upto).param("now", Timestamp.from(now))
                            .param("until", Timestamp.from(now.plus(properties.webhookRetryFor()))).update();
                }
                jdbc.sql(ADVANCE).param("upto", upto).update();
                return upto < sequenced;
            });
        } while (Boolean.TRUE.equals(more));
    }

    private int deliverDue() {
        List<Map<String, Object>> due = jdbc.sql(DUE).param("now", Timestamp.from(clock.instant())).param("batch", DELIVER_BATCH)
                .query().listOfRows();
        for (Map<String, Object> d : due) {
            deliver(d);
        }
        return due.size();
    }

    private void deliver(Map<String, Object> d) {
        Object outbox = d.get("outbox_id");
        Object agent = d.get("agent_id");
        int attempt = ((Number) d.get("attempts")).intValue() + 1;
        String url = (String) d.get("url");
        String secret = (String) d.get("webhook_secret");
        if (url == null || secret == null) {
            // The webhook was removed after this delivery was scheduled (the secret cannot be, but an agent row
            // gone leaves both null): nobody is to receive it any more, and nothing is ever sent unsigned.
            jdbc.sql(CANCELED).param("outbox", outbox).param("agent", agent).param("error", REMOVED)
                    .param("now", Timestamp.from(clock.instant())).update();
            log.debug("Webhook of outbox entry {} to agent {} {}", outbox, agent, REMOVED);
            return;
        }
        String body = compact((String) d.get("body"));
        String error;
        boolean retryable;
        try {
            URI uri = URI.create(url);
            long t = clock.instant().getEpochSecond();
            int status = http.post(uri, Map.of(
                    "User-Agent", "Ordinaut-Webhook",
                    "Ordinaut-Delivery", outbox.toString(),
                    WebhookSignature.HEADER, WebhookSignature.header(secret, t, body)), body);
            if (status / 100 == 2) {
                jdbc.sql(DELIVERED).param("outbox", outbox).param("agent", agent).param("url", url).update();
                return;
            }
            error = "HTTP " + status;
            retryable = true;
        } catch (ToolCallException e) {
            // the egress guard's own words, as a tool call's error gives them: "egress to host 'h' refused: …" (for
            // good), "cannot resolve host 'h'" (retried)
            error = e.getMessage();
            retryable = e.retryable();
        } catch (IllegalArgumentException e) {
            error = "invalid webhook_url: " + e.getMessage();
            retryable = false;
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                return; // the node is stopping: the delivery stays due and is sent again
            }
            error = describe(e, properties.webhookTimeout());
            retryable = true;
        }
        Instant next = clock.instant().plus(backoff(attempt));
        boolean last = !retryable || next.isAfter(((Timestamp) d.get("deliver_until")).toInstant());
        jdbc.sql(FAILED).param("outbox", outbox).param("agent", agent).param("url", url).param("error", error)
                .param("next", Timestamp.from(next)).param("final", last).update();
        if (last) {
            log.warn("Webhook of outbox entry {} to agent {} failed for good after {} attempts: {}", outbox, agent, attempt, error);
        } else {
            log.debug("Webhook of outbox entry {} to agent {} failed (attempt {}): {}; retrying", outbox, agent, attempt, error);
        }
    }

    /** The entry as compact JSON, outbox_id and type first (as in SSE and the streams). */
    @SuppressWarnings("unchecked")
    private String compact(String jsonb) {
        Map<String, Object> stored = StoredJson.READER.readValue(jsonb, java.util.LinkedHashMap.class);
        Map<String, Object> ordered = new java.util.LinkedHashMap<>();
        ordered.put("outbox_id", stored.remove("outbox_id"));
        ordered.put("type", stored.remove("type"));
        ordered.putAll(stored);
        return json.writeValueAsString(ordered);
    }

    static Duration backoff(int attempt) {
        Duration d = Duration.ofSeconds(1L << Math.min(attempt - 1, 16));
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    /** What went wrong on the wire, in words an admin reading the delivery can act on (no Java class names). */
    static String describe(IOException e, java.time.Duration timeout) {
        String detail = e.getMessage() == null || e.getMessage().isBlank() ? "" : ": " + e.getMessage();
        if (e instanceof org.apache.hc.client5.http.ConnectTimeoutException) {
            return "could not connect within " + timeout.toMillis() + " ms";
        }
        if (e instanceof java.io.InterruptedIOException) {
            return "no answer within " + timeout.toMillis() + " ms";
        }
        if (e instanceof java.net.ConnectException) {
            return "cannot connect" + detail;
        }
        if (e instanceof java.net.UnknownHostException) {
            return "unknown host" + detail;
        }
        if (e instanceof javax.net.ssl.SSLException) {
            return "TLS failed" + detail;
        }
        return "the connection failed" + detail;
    }
}
