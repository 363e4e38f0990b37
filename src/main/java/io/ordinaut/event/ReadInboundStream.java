package io.ordinaut.event;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.InvalidInputException;
import io.ordinaut.JsonFields;

/**
 * Reads the inbound stream with the consumer group, as consumer {@code node id}: each entry
 * ({@code topic}, {@code payload} JSON, optional {@code event_id}, {@code agent_id} of an existing agent)
 * is published exactly as POST /events would, and acknowledged only after that transaction committed. A
 * malformed entry — one POST /events would refuse, or whose data the database refuses — goes to the
 * dead-letter stream with the reason and is acknowledged, so it is never retried. Entries another reader
 * took and never acknowledged (it crashed) are claimed with XAUTOCLAIM once idle for
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

    private final RedisStreams redis;
    private final EventPublisher publisher;
    private final EventStore store;
    private final EventProperties properties;
    private final JsonMapper json;
    private final String consumer;
    private StatefulRedisConnection<String, String> connection;
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
    }

    @Override
    public void run() {
        try {
            RedisCommands<String, String> commands = commands();
            Consumer<String> me = Consumer.from(properties.inboundGroup(), consumer);
            List<StreamMessage<String, String>> claimed = commands.xautoclaim(properties.inboundStream(),
                    XAutoClaimArgs.Builder.xautoclaim(me, properties.inboundClaimIdle(), "0-0").count(BATCH)).getMessages();
            Map<String, Long> deliveries = deliveries(commands, me, claimed);
            claimed.forEach(m -> handle(commands, m, deliveries.getOrDefault(m.getId(), 1L)));
            List<StreamMessage<String, String>> fresh = commands.xreadgroup(me,
                    XReadArgs.Builder.count(BATCH).block(block()), XReadArgs.StreamOffset.lastConsumed(properties.inboundStream()));
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

    private RedisCommands<String, String> commands() {
        if (connection == null || !connection.isOpen()) {
            connection = redis.connect();
            groupReady = false;
        }
        RedisCommands<String, String> commands = connection.sync();
        if (!groupReady) {
            try {
                // from the start of the stream: entries written before the first node came up are events too
                commands.xgroupCreate(XReadArgs.StreamOffset.from(properties.inboundStream(), "0"),
                        properties.inboundGroup(), XGroupCreateArgs.Builder.mkstream());
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
    private Map<String, Long> deliveries(RedisCommands<String, String> commands, Consumer<String> me,
                                         List<StreamMessage<String, String>> claimed) {
        if (claimed.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> counts = new HashMap<>();
        commands.xpending(properties.inboundStream(), me,
                        Range.create(claimed.get(0).getId(), claimed.get(claimed.size() - 1).getId()), Limit.from(BATCH))
                .forEach(p -> counts.put(p.getId(), p.getRedeliveryCount()));
        return counts;
    }

    private void handle(RedisCommands<String, String> commands, StreamMessage<String, String> message, long deliveries) {
        String reason;
        try {
            publish(message.getBody());
            reason = null;
        } catch (InvalidInputException e) {
            reason = (e.field() == null ? "" : e.field() + ": ") + e.getMessage();
        } catch (EventInput.PayloadTooLargeException e) {
            reason = e.getMessage();
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
            commands.xack(properties.inboundStream(), properties.inboundGroup(), message.getId());
            return;
        }
        Map<String, String> dead = new LinkedHashMap<>(message.getBody());
        dead.put("reason", reason);
        dead.put("original_id", message.getId());
        commands.xadd(properties.inboundDeadStream(), XAddArgs.Builder.maxlen(properties.streamMaxLength()).approximateTrimming(), dead);
        commands.xack(properties.inboundStream(), properties.inboundGroup(), message.getId());
        log.info("Inbound entry {} moved to {}: {}", message.getId(), properties.inboundDeadStream(), reason);
    }

    private void publish(Map<String, String> fields) {
        String payloadJson = fields.get("payload");
        Object payload = null;
        if (payloadJson != null) {
            try {
                payload = json.readValue(payloadJson, Object.class);
            } catch (JacksonException e) {
                throw new InvalidInputException("payload", "payload is not valid JSON");
            }
        }
        if (payload != null) {
            // what POST /events refuses in its body: a NUL character or an unpaired surrogate the database cannot store
            JsonFields.requireStorable(payload, "payload");
        }
        UUID agent = agent(fields.get("agent_id"));
        Optional<String> scopes = store.agentScopes(agent);
        if (scopes.isEmpty()) {
            throw new InvalidInputException("agent_id", "Agent " + agent + " does not exist");
        }
        boolean admin = Arrays.asList(scopes.get().replaceAll("[{}\"]", "").split(",")).contains("admin");
        EventInput input = EventInput.of(fields.get("topic"), payload, payloadJson == null ? "null" : payloadJson,
                fields.get("event_id"), null, properties.maxPayloadBytes());
        publisher.publish(input, agent, admin);
    }

    private static UUID agent(String value) {
        if (value == null) {
            throw new InvalidInputException("agent_id", "agent_id is required (the publishing agent)");
        }
        try {
            return UUID.fromString(value.strip());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("agent_id", "agent_id must be a UUID");
        }
    }
}
