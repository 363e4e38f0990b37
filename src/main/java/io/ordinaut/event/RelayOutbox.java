package io.ordinaut.event;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import tools.jackson.databind.json.JsonMapper;

/**
 * Appends sequenced outbox rows to the Redis Streams, in seq order, one node at a time: each round is a
 * transaction holding an advisory lock, reads the next unrelayed rows, appends them and marks them relayed
 * before it commits. Another node's next round takes over when this node dies (fail-over within one relay
 * interval).
 * <p>
 * The append is idempotent and ordered in Redis itself, so each entry lands in its stream exactly once and
 * in outbox order: a round that fails after sending (a command timeout while Redis stalls, a crash before the
 * commit) rolls back and its rows are sent again, while Redis may still run — or has already run — the first
 * send. Marking rows relayed cannot be atomic with Redis, so instead every stream's entries go to Redis as one
 * Lua script per stream and round ({@link #APPEND}), atomic there, that appends only the entries whose
 * {@code outbox_id} is greater than the stream's position (a hash beside it, {@link #position}), and moves the
 * position. A late run of a timed-out send and its retry, from this node or another, therefore never both
 * append, and nothing older can follow something newer. The position names the database it counts for
 * ({@code outbox_origin}), so a new database relaying to the same streams starts from its own first entry.
 * <p>
 * While Redis is down or stalled every round fails and rolls back; the outbox grows and is relayed in order once
 * Redis is back. Failed rounds back off (up to {@link #MAX_BACKOFF}), and after a timeout the connection is
 * dropped, so a stalled Redis is not handed another batch on the same connection every round.
 */
final class RelayOutbox implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(RelayOutbox.class);

    static final long LOCK = 0x6f72_6472_656cL;
    /** Longest pause between failed rounds; also the longest a recovered Redis waits for the backlog. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

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

    /**
     * Appends one round's entries to one stream, atomically, skipping those the stream already holds.
     * KEYS[1] the stream; KEYS[2] its position, a hash of the outbox_id appended up to and the origin (the
     * database, {@code outbox_origin}) that numbering belongs to; ARGV[1] MAXLEN (~); ARGV[2] this outbox's
     * origin; then per entry, in outbox order: its outbox_id, its field count n, and n field/value pairs. A
     * position of another origin counts as none: another database numbers from 1 again. Returns {appended,
     * skipped, the outbox_id the stream's position was at before}.
     */
    static final String APPEND = """
            local last = 0
            local pos = redis.call('HMGET', KEYS[2], 'origin', 'outbox_id')
            if pos[1] == ARGV[2] then
              last = tonumber(pos[2]) or 0
            end
            local before = last
            local appended, skipped = 0, 0
            local i = 3
            while i <= #ARGV do
              local id = tonumber(ARGV[i])
              local n = tonumber(ARGV[i + 1])
              if id > last then
                redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', unpack(ARGV, i + 2, i + 1 + 2 * n))
                last = id
                appended = appended + 1
              else
                skipped = skipped + 1
              end
              i = i + 2 + 2 * n
            end
            if appended > 0 or pos[1] ~= ARGV[2] then
              redis.call('HSET', KEYS[2], 'origin', ARGV[2], 'outbox_id', last)
            end
            return {appended, skipped, before}
            """;

    private static final String ORIGIN = "SELECT CAST(id AS text) FROM outbox_origin";

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final RedisStreams.Lazy redis;
    private final JsonMapper json;
    private final EventProperties properties;
    private final RelayStatus status;
    private String appendSha;
    private String origin;
    private int failures;
    /** No round before this System.nanoTime(): a pause, so monotonic time rather than the (settable) Clock. */
    private long retryAt;

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
        if (failures > 0 && System.nanoTime() - retryAt < 0) {
            return;
        }
        try {
            int n;
            boolean held = false;
            do {
                Integer relayed = tx.execute(s -> round());
                n = relayed == null ? 0 : relayed;
                held |= n >= 0;
            } while (n >= properties.relayBatch());
            if (!held) {
                // Another node relays this round: that says nothing of whether this node reaches Redis, so a
                // failing node neither recovers nor fails again here (it alternated once a second between both).
                return;
            }
            failures = 0;
            if (status.succeeded()) {
                log.info("Outbox relay to Redis works again");
            }
        } catch (RuntimeException e) {
            failures++;
            retryAt = System.nanoTime() + backoff(failures, properties.relayInterval()).toNanos();
            // one warning per outage rather than one per round; /health shows it meanwhile
            if (status.failed(e)) {
                log.warn("{}: {}", RelayFailure.of(e).warning(), RelayFailure.describe(e));
            } else {
                log.debug("Outbox relay still failing: {}", e.toString());
            }
        }
    }

    /** The pause after the n-th failed round in a row: the relay interval, doubled each time, at most MAX_BACKOFF. */
    static Duration backoff(int failures, Duration interval) {
        Duration pause = interval.multipliedBy(1L << Math.min(failures - 1, 20));
        return pause.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : pause;
    }

    /** @return the rows relayed, or -1 when another node holds the relay lock */
    private int round() {
        if (!Boolean.TRUE.equals(jdbc.sql(LOCK_SQL).query(Boolean.class).single())) {
            return -1;
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
        if (origin == null) {
            origin = jdbc.sql(ORIGIN).query(String.class).single();
        }
        Map<String, List<String>> appends = new LinkedHashMap<>();
        for (OutboxEntry entry : entries) {
            String stream = "events".equals(entry.stream()) ? properties.eventsStream() : properties.runsStream();
            List<String> args = appends.computeIfAbsent(stream, s -> new ArrayList<>(List.of(Long.toString(properties.streamMaxLength()), origin)));
            Map<String, String> fields = fields(entry);
            args.add(Long.toString(entry.seq()));
            args.add(Integer.toString(fields.size()));
            fields.forEach((k, v) -> {
                args.add(k);
                args.add(v);
            });
        }
        List<List<Object>> results;
        try {
            results = append(appends, false);
        } catch (RedisNoScriptException e) {
            // Redis restarted or its script cache was flushed: EVAL loads the script again. Sending the same
            // entries twice is harmless, the script skips what the first send appended.
            results = append(appends, true);
        }
        int i = 0;
        for (String stream : appends.keySet()) {
            List<Object> r = results.get(i++);
            long skipped = (Long) r.get(1);
            if (skipped > 0) {
                // expected after a round that failed once its appends were sent (timeout, crash before commit)
                log.info("Stream {} already held {} of this round's outbox entries (up to outbox_id {}); appended the other {}",
                        stream, skipped, r.get(2), r.get(0));
            }
        }
        int marked = jdbc.sql(MARK).param("ids", json.writeValueAsString(ids)).update();
        if (marked != ids.size()) {
            throw new IllegalStateException("Relayed outbox rows " + ids + " but marked " + marked);
        }
        log.trace("Relayed {} outbox entries", entries.size());
        return entries.size();
    }

    /** The key beside a stream that holds how far the relay has appended to it. */
    static String position(String stream) {
        return stream + ":relayed";
    }

    /** One script call per stream, pipelined (one round trip for the round), and their results in that order. */
    private List<List<Object>> append(Map<String, List<String>> appends, boolean eval) {
        RedisAsyncCommands<String, String> commands = redis.async();
        if (appendSha == null) {
            appendSha = commands.digest(APPEND);
        }
        List<RedisFuture<List<Object>>> sent = new ArrayList<>(appends.size());
        appends.forEach((stream, args) -> {
            String[] keys = {stream, position(stream)};
            String[] argv = args.toArray(String[]::new);
            sent.add(eval ? commands.eval(APPEND, ScriptOutputType.MULTI, keys, argv)
                    : commands.evalsha(appendSha, ScriptOutputType.MULTI, keys, argv));
        });
        long timeout = properties.redisCommandTimeout().toMillis();
        List<List<Object>> results = new ArrayList<>(sent.size());
        for (RedisFuture<List<Object>> f : sent) {
            try {
                // Lettuce's own command timeout ends the wait first; this only guards against it not firing
                results.add(f.get(2 * timeout, TimeUnit.MILLISECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while appending to Redis", e);
            } catch (TimeoutException e) {
                throw timedOut(timeout, e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RedisCommandTimeoutException) {
                    throw timedOut(timeout, cause);
                }
                if (cause instanceof RedisNoScriptException noScript && !eval) {
                    throw noScript;
                }
                // a RedisException, so the failure is put down to Redis (RelayFailure)
                throw new RedisException("appending to Redis failed: " + RelayFailure.describe(cause), cause);
            }
        }
        return results;
    }

    /**
     * Redis did not answer in time (stalled, overloaded, or a network partition): the sent scripts may still run,
     * which is why they are idempotent. The connection is dropped so the next round does not queue another batch
     * behind them on a connection Redis is not reading.
     */
    private RedisException timedOut(long timeoutMs, Throwable cause) {
        redis.reset();
        return new RedisException("Redis did not answer within " + timeoutMs + " ms", cause);
    }

    /** Stream fields are strings: text as it is, numbers and structures (payload …) as JSON, nulls left out. */
    private Map<String, String> fields(OutboxEntry row) {
        Map<String, String> fields = new LinkedHashMap<>();
        row.fields().forEach((k, v) -> {
            if (v instanceof String s) {
                fields.put(k, s);
            } else if (v != null) {
                fields.put(k, json.writeValueAsString(v));
            }
        });
        return fields;
    }
}
