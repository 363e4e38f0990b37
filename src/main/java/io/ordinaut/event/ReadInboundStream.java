package io.ordinaut.event;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.InvalidInputException;

/**
 * Reads the inbound stream with the consumer group, as consumer {@code node id}: each entry
 * ({@code topic}, {@code payload} JSON, optional {@code event_id} and {@code source_agent_id}, {@code agent_id}
 * of an existing agent holding {@value #PUBLISH_SCOPE}) is read as POST /events reads its body
 * ({@link InboundEntry}) and published as POST /events publishes, and acknowledged only after that
 * transaction committed. A malformed entry — one POST /events would refuse, or whose data the database
 * refuses — goes to the dead-letter stream with the reason and is acknowledged, so it is never retried.
 * Entries another reader took and never acknowledged (it crashed) are claimed with XAUTOCLAIM once idle for
 * ordinaut.events.inbound-claim-idle. An entry that failed for another reason stays pending and is claimed
 * again later: while the database is unreachable for as long as it takes, otherwise up to
 * {@value #MAX_DELIVERIES} deliveries, after which it is dead-lettered too.
 */
final class ReadInboundStream implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ReadInboundStream.class);
    private static final int BATCH = 100;
    private static final Duration MAX_BLOCK = Duration.ofSeconds(1);
    private static final Duration FAILURE_PAUSE = Duration.ofSeconds(1);
    /** Deliveries after which an entry that still fails, with the database reachable, is dead-lettered. */
    static final int MAX_DELIVERIES = 5;
    /** The scope POST /events requires (its {@code RequiresScope}); admin implies it. */
    static final String PUBLISH_SCOPE = "events:publish";
    private static final String ADMIN = "admin";

    private final RedisStreams redis;
    private final EventPublisher publisher;
    private final EventStore store;
    private final EventProperties properties;
    private final JsonMapper json;
    private final String consumer;
    private final byte[] stream;
    private final byte[] group;
    /** Bytes, not strings: the entries are decoded strictly by InboundEntry, never with replacement characters. */
    private StatefulRedisConnection<byte[], byte[]> connection;
    private boolean groupReady;
    private String failing;

    ReadInboundStream(RedisStreams redis, EventPublisher publisher, EventStore store, EventProperties properties,
                      JsonMapper json, String consumer) {
        this.redis = redis;
        this.publisher = publisher;
        this.store = store;
        this.properties = properties;
        this.json = json;
        this.consumer = consumer;
        this.stream = bytes(properties.inboundStream());
        this.group = bytes(properties.inboundGroup());
    }

    @Override
    public void run() {
        try {
            RedisCommands<byte[], byte[]> commands = commands();
            Consumer<byte[]> me = Consumer.from(group, bytes(consumer));
            List<StreamMessage<byte[], byte[]>> claimed = commands.xautoclaim(stream,
                    XAutoClaimArgs.Builder.xautoclaim(me, properties.inboundClaimIdle(), "0-0").count(BATCH)).getMessages();
            Map<String, Long> deliveries = deliveries(commands, me, claimed);
            claimed.forEach(m -> handle(commands, m, deliveries.getOrDefault(m.getId(), 1L)));
            List<StreamMessage<byte[], byte[]>> fresh = commands.xreadgroup(me,
                    XReadArgs.Builder.count(BATCH).block(block()), XReadArgs.StreamOffset.lastConsumed(stream));
            fresh.forEach(m -> handle(commands, m, 1));
            if (failing != null) {
                log.info("Inbound stream {} readable again", properties.inboundStream());
                failing = null;
            }
        } catch (RuntimeException e) {
            if (e instanceof RedisCommandInterruptedException || Thread.currentThread().isInterrupted()) {
                // The node is stopping and interrupted the blocking read: nothing failed.
                close();
                Thread.currentThread().interrupt();
                return;
            }
            if (failing == null) {
                log.warn("Inbound stream {} not readable: {}", properties.inboundStream(), e.toString());
            }
            failing = e.toString();
            close();
            try {
                Thread.sleep(FAILURE_PAUSE.toMillis());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The blocking read's wait: a second, or half the command timeout when that is shorter, so it never times out. */
    private Duration block() {
        Duration half = properties.redisCommandTimeout().dividedBy(2);
        return half.compareTo(MAX_BLOCK) < 0 ? half : MAX_BLOCK;
    }

    private RedisCommands<byte[], byte[]> commands() {
        if (connection == null || !connection.isOpen()) {
            connection = redis.connectBinary();
            groupReady = false;
        }
        RedisCommands<byte[], byte[]> commands = connection.sync();
        if (!groupReady) {
            try {
                // from the start of the stream: entries written before the first node came up are events too
                commands.xgroupCreate(XReadArgs.StreamOffset.from(stream, "0"), group, XGroupCreateArgs.Builder.mkstream());
            } catch (RedisBusyException e) {
                // BUSYGROUP: another node (or an earlier start) created it
            }
            groupReady = true;
        }
        return commands;
    }

    void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    /** How often each claimed entry has been delivered, this claim included (XPENDING over the claimed ids). */
    private Map<String, Long> deliveries(RedisCommands<byte[], byte[]> commands, Consumer<byte[]> me,
                                         List<StreamMessage<byte[], byte[]>> claimed) {
        if (claimed.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> counts = new HashMap<>();
        commands.xpending(stream, me,
                        Range.create(claimed.get(0).getId(), claimed.get(claimed.size() - 1).getId()), Limit.from(BATCH))
                .forEach(p -> counts.put(p.getId(), p.getRedeliveryCount()));
        return counts;
    }

    private void handle(RedisCommands<byte[], byte[]> commands, StreamMessage<byte[], byte[]> message, long deliveries) {
        String reason;
        try {
            publish(message.getBody());
            reason = null;
        } catch (InvalidInputException e) {
            reason = (e.field() == null ? "" : e.field() + ": ") + e.getMessage();
        } catch (EventInput.PayloadTooLargeException e) {
            reason = "payload: " + e.getMessage();
        } catch (RuntimeException e) {
            reason = PublishFailures.refusedData(e);
            if (reason == null) {
                if (deliveries < MAX_DELIVERIES || PublishFailures.mayPass(e)) {
                    // stays pending: claimed again once idle, after the rest of the round
                    throw e;
                }
                reason = "publishing failed on each of its " + deliveries + " deliveries, the last time with: "
                        + PublishFailures.innermostMessage(e);
            }
        }
        if (reason == null) {
            commands.xack(stream, group, message.getId());
            return;
        }
        // The entry's own bytes, every field as given (twice, if it was), then ours: a reader that keeps the last
        // of a field name gets our reason and original_id even when the entry carried fields of those names.
        List<Object> dead = new ArrayList<>();
        message.getBody().forEach((name, value) -> {
            dead.add(name);
            dead.add(value);
        });
        dead.addAll(List.of(bytes("reason"), bytes(reason), bytes("original_id"), bytes(message.getId())));
        commands.xadd(bytes(properties.inboundDeadStream()), XAddArgs.Builder.maxlen(properties.streamMaxLength()).approximateTrimming(),
                dead.toArray());
        commands.xack(stream, group, message.getId());
        log.info("Inbound entry {} moved to {}: {}", message.getId(), properties.inboundDeadStream(), reason);
    }

    private void publish(Map<byte[], byte[]> body) {
        InboundEntry entry = InboundEntry.of(body);
        // The agent stands where POST /events' caller does, so it is checked first, as the token and scope are.
        UUID agent = entry.agent();
        Set<String> scopes = store.agentScopes(agent)
                .orElseThrow(() -> new InvalidInputException(InboundEntry.AGENT_ID, "Agent " + agent + " does not exist"));
        boolean admin = scopes.contains(ADMIN);
        if (!admin && !scopes.contains(PUBLISH_SCOPE)) {
            throw new InvalidInputException(InboundEntry.AGENT_ID, "Agent " + agent + " lacks the scope " + PUBLISH_SCOPE
                    + " that publishing an event requires", Map.of("required_scope", PUBLISH_SCOPE));
        }
        publisher.publish(entry.event(json, properties.maxPayloadBytes()), agent, admin);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
