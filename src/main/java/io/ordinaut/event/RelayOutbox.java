package io.ordinaut.event;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.sync.RedisCommands;
import tools.jackson.databind.json.JsonMapper;

/**
 * Appends sequenced outbox rows to the Redis Streams, in seq order, one node at a time: each round is a
 * transaction holding an advisory lock, reads the next unrelayed rows, XADDs them and marks them relayed
 * before it commits. Another node's next round takes over when this node dies (fail-over within one relay
 * interval). A crash between XADD and commit sends those rows again on the next round: delivery is at
 * least once, and every entry carries its {@code outbox_id} so consumers can deduplicate. While Redis is
 * down every round fails and rolls back; the outbox grows and is relayed in order once Redis is back.
 */
final class RelayOutbox implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(RelayOutbox.class);

    static final long LOCK = 0x6f72_6472_656cL;

    private static final String LOCK_SQL = "SELECT pg_try_advisory_xact_lock(" + LOCK + ")";
    private static final String NEXT = """
            SELECT seq, id, stream, type, agent_id AS owner, body::text AS body FROM outbox
             WHERE relayed_at IS NULL AND seq IS NOT NULL
             ORDER BY seq LIMIT :batch
            """;
    private static final String MARK = """
            UPDATE outbox SET relayed_at = now() WHERE id IN (SELECT CAST(value AS bigint) FROM jsonb_array_elements_text(CAST(:ids AS jsonb)))
            """;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final RedisStreams.Lazy redis;
    private final JsonMapper json;
    private final EventProperties properties;
    private final RelayStatus status;

    RelayOutbox(JdbcClient jdbc, TransactionTemplate tx, RedisStreams.Lazy redis, JsonMapper json, EventProperties properties,
                RelayStatus status) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.redis = redis;
        this.json = json;
        this.properties = properties;
        this.status = status;
    }

    @Override
    public void run() {
        try {
            int n;
            do {
                Integer relayed = tx.execute(s -> round());
                n = relayed == null ? 0 : relayed;
            } while (n == properties.relayBatch());
            if (status.succeeded()) {
                log.info("Outbox relay to Redis works again");
            }
        } catch (RuntimeException e) {
            // one warning per outage rather than one per round; /health shows it meanwhile
            if (status.failed(e)) {
                log.warn("Outbox relay to Redis failed, the outbox keeps growing until Redis is back: {}", e.toString());
            } else {
                log.debug("Outbox relay still failing: {}", e.toString());
            }
        }
    }

    private int round() {
        if (!Boolean.TRUE.equals(jdbc.sql(LOCK_SQL).query(Boolean.class).single())) {
            return 0;
        }
        List<OutboxEntry> rows = jdbc.sql(NEXT).param("batch", properties.relayBatch())
                .query((rs, n) -> new OutboxEntry(rs.getLong("seq"), rs.getLong("id"), rs.getString("stream"),
                        rs.getString("type"), null, rs.getString("body")))
                .list();
        if (rows.isEmpty()) {
            return 0;
        }
        RedisCommands<String, String> commands = redis.commands();
        XAddArgs trim = XAddArgs.Builder.maxlen(properties.streamMaxLength()).approximateTrimming();
        List<Long> ids = new ArrayList<>(rows.size());
        for (OutboxEntry row : rows) {
            String stream = "events".equals(row.stream()) ? properties.eventsStream() : properties.runsStream();
            commands.xadd(stream, trim, fields(row));
            ids.add(row.id());
        }
        int marked = jdbc.sql(MARK).param("ids", json.writeValueAsString(ids)).update();
        if (marked != rows.size()) {
            throw new IllegalStateException("Relayed outbox rows " + ids + " but marked " + marked);
        }
        log.trace("Relayed {} outbox rows", rows.size());
        return rows.size();
    }

    /** Stream fields are strings: text as it is, numbers and structures (payload …) as JSON, nulls left out. */
    private Map<String, String> fields(OutboxEntry row) {
        Map<String, String> fields = new LinkedHashMap<>();
        row.fields(json).forEach((k, v) -> {
            if (v instanceof String s) {
                fields.put(k, s);
            } else if (v != null) {
                fields.put(k, json.writeValueAsString(v));
            }
        });
        return fields;
    }
}
