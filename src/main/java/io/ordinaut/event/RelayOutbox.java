package io.ordinaut.event;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

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
    private static final Duration APPEND_TIMEOUT = Duration.ofSeconds(10);

    private static final String LOCK_SQL = "SELECT pg_try_advisory_xact_lock(" + LOCK + ")";
    /** The next unrelayed rows in seq order, as many as hold about :batch entries (at least one row). */
    private static final String NEXT = """
            WITH next AS (
                SELECT id, seq, size FROM outbox WHERE relayed_at IS NULL AND seq IS NOT NULL ORDER BY seq LIMIT :batch
            ), taken AS (
                SELECT id FROM (SELECT id, sum(size) OVER (ORDER BY seq) - size AS before FROM next) w WHERE before < :batch
            )
            SELECT o.id, o.seq, o.stream, CAST(o.entries AS text) AS entries FROM outbox o JOIN taken USING (id) ORDER BY o.seq
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
            } while (n >= properties.relayBatch());
            if (status.succeeded()) {
                log.info("Outbox relay to Redis works again");
            }
        } catch (RuntimeException e) {
            // one warning per outage rather than one per round; /health shows it meanwhile
            if (status.failed(e)) {
                log.warn("{}: {}", RelayFailure.of(e).warning(), e.toString());
            } else {
                log.debug("Outbox relay still failing: {}", e.toString());
            }
        }
    }

    private int round() {
        if (!Boolean.TRUE.equals(jdbc.sql(LOCK_SQL).query(Boolean.class).single())) {
            return 0;
        }
        List<Long> ids = new ArrayList<>();
        List<OutboxEntry> entries = new ArrayList<>();
        jdbc.sql(NEXT).param("batch", properties.relayBatch()).query(rs -> {
            ids.add(rs.getLong("id"));
            entries.addAll(OutboxEntry.unpack(rs.getLong("seq"), rs.getString("stream"), rs.getString("entries"), json));
        });
        if (ids.isEmpty()) {
            return 0;
        }
        RedisAsyncCommands<String, String> commands = redis.async();
        XAddArgs trim = XAddArgs.Builder.maxlen(properties.streamMaxLength()).approximateTrimming();
        List<RedisFuture<String>> appended = new ArrayList<>(entries.size());
        for (OutboxEntry entry : entries) {
            String stream = "events".equals(entry.stream()) ? properties.eventsStream() : properties.runsStream();
            appended.add(commands.xadd(stream, trim, fields(entry)));
        }
        // Pipelined, and in order on the one connection; any failure rolls the round back to be sent again.
        for (RedisFuture<String> f : appended) {
            try {
                f.get(APPEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while appending to Redis", e);
            } catch (ExecutionException | TimeoutException e) {
                // a RedisException, so the failure is put down to Redis (RelayFailure) even for a timeout
                throw new RedisException("Appending to Redis failed: " + (e.getCause() != null ? e.getCause() : e), e);
            }
        }
        int marked = jdbc.sql(MARK).param("ids", json.writeValueAsString(ids)).update();
        if (marked != ids.size()) {
            throw new IllegalStateException("Relayed outbox rows " + ids + " but marked " + marked);
        }
        log.trace("Relayed {} outbox entries", entries.size());
        return entries.size();
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
