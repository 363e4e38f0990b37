package io.ordinaut.event;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

import io.ordinaut.config.Setting;

/**
 * Events, the outbox and its consumers ({@code ordinaut.events.*}).
 *
 * @param redisUrl          Redis for the streams, e.g. {@code redis://127.0.0.1:6379/0}; empty = no Redis
 *                          (events, the outbox, SSE and webhooks still work from PostgreSQL alone)
 * @param maxPayloadBytes   largest event payload accepted (serialised JSON); larger answers 413
 * @param eventsStream      stream the relay appends events to
 * @param runsStream        stream the relay appends run and task lifecycle entries to
 * @param streamMaxLength   approximate cap of each outbound stream ({@code XADD MAXLEN ~})
 * @param relayInterval     how often the relay and the sequencer look for new outbox rows
 * @param relayBatch        outbox rows per relay round
 * @param retention         relayed (or, without Redis, sequenced) outbox rows older than this are deleted
 * @param inboundStream     stream each node reads events from (consumer group {@code inboundGroup})
 * @param inboundDeadStream where malformed inbound entries go, with the reason
 * @param inboundGroup      the inbound consumer group
 * @param inboundClaimIdle  pending inbound entries idle this long are claimed from a crashed reader (XAUTOCLAIM)
 * @param sseKeepAlive      interval of SSE comment lines that keep idle connections open
 * @param webhookRetryFor   how long a failing webhook is retried (with exponential backoff) before it is failed
 * @param webhookTimeout    timeout of one webhook POST
 * @param redisHealthTimeout how long /health waits for Redis to answer its PING before it reports redis
 *                          unhealthy; kept well under a load balancer's health-check timeout, since a Redis
 *                          host that drops packets would otherwise hold /health for the 10 s connect timeout
 * @param sseMaxStreamsPerAgent GET /events/stream connections one agent may hold open at once on one node;
 *                          one more answers 429
 * @param redisCommandTimeout how long a Redis command (the relay's append, the inbound reads) waits for an answer
 *                          before it fails; the relay then backs off and sends the entries again, which the
 *                          idempotent append makes safe. At least {@value #MIN_REDIS_COMMAND_TIMEOUT_MS} ms
 */
@ConfigurationProperties("ordinaut.events")
public record EventProperties(
        String redisUrl,
        Integer maxPayloadBytes,
        String eventsStream,
        String runsStream,
        Long streamMaxLength,
        Duration relayInterval,
        Integer relayBatch,
        Duration retention,
        String inboundStream,
        String inboundDeadStream,
        String inboundGroup,
        Duration inboundClaimIdle,
        Duration sseKeepAlive,
        Duration webhookRetryFor,
        Duration webhookTimeout,
        Duration redisHealthTimeout,
        Integer sseMaxStreamsPerAgent,
        Duration redisCommandTimeout) {

    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;
    public static final String DEFAULT_EVENTS_STREAM = "ordinaut:events";
    public static final String DEFAULT_RUNS_STREAM = "ordinaut:runs";
    public static final long DEFAULT_STREAM_MAX_LENGTH = 100_000;
    public static final Duration DEFAULT_RELAY_INTERVAL = Duration.ofMillis(200);
    public static final int DEFAULT_RELAY_BATCH = 500;
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(1);
    public static final String DEFAULT_INBOUND_STREAM = "ordinaut:events:in";
    public static final String DEFAULT_INBOUND_GROUP = "ordinaut";
    public static final Duration DEFAULT_INBOUND_CLAIM_IDLE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_SSE_KEEP_ALIVE = Duration.ofSeconds(15);
    public static final Duration DEFAULT_WEBHOOK_RETRY_FOR = Duration.ofHours(1);
    public static final Duration DEFAULT_WEBHOOK_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REDIS_HEALTH_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_SSE_MAX_STREAMS_PER_AGENT = 10;
    public static final Duration DEFAULT_REDIS_COMMAND_TIMEOUT = Duration.ofSeconds(3);
    public static final long MIN_REDIS_COMMAND_TIMEOUT_MS = 200;

    public EventProperties {
        redisUrl = redisUrl == null ? "" : redisUrl.strip();
        maxPayloadBytes = positive("max-payload-bytes", maxPayloadBytes, DEFAULT_MAX_PAYLOAD_BYTES);
        eventsStream = name("events-stream", eventsStream, DEFAULT_EVENTS_STREAM);
        runsStream = name("runs-stream", runsStream, DEFAULT_RUNS_STREAM);
        streamMaxLength = Setting.atLeast("ordinaut.events.stream-max-length", streamMaxLength, DEFAULT_STREAM_MAX_LENGTH, 1);
        relayInterval = duration("relay-interval", relayInterval, DEFAULT_RELAY_INTERVAL);
        relayBatch = positive("relay-batch", relayBatch, DEFAULT_RELAY_BATCH);
        retention = duration("retention", retention, DEFAULT_RETENTION);
        inboundStream = name("inbound-stream", inboundStream, DEFAULT_INBOUND_STREAM);
        inboundDeadStream = name("inbound-dead-stream", inboundDeadStream, inboundStream + ":dead");
        inboundGroup = name("inbound-group", inboundGroup, DEFAULT_INBOUND_GROUP);
        inboundClaimIdle = duration("inbound-claim-idle", inboundClaimIdle, DEFAULT_INBOUND_CLAIM_IDLE);
        sseKeepAlive = duration("sse-keep-alive", sseKeepAlive, DEFAULT_SSE_KEEP_ALIVE);
        webhookRetryFor = duration("webhook-retry-for", webhookRetryFor, DEFAULT_WEBHOOK_RETRY_FOR);
        webhookTimeout = duration("webhook-timeout", webhookTimeout, DEFAULT_WEBHOOK_TIMEOUT);
        redisHealthTimeout = duration("redis-health-timeout", redisHealthTimeout, DEFAULT_REDIS_HEALTH_TIMEOUT);
        sseMaxStreamsPerAgent = positive("sse-max-streams-per-agent", sseMaxStreamsPerAgent, DEFAULT_SSE_MAX_STREAMS_PER_AGENT);
        redisCommandTimeout = Setting.atLeast("ordinaut.events.redis-command-timeout", redisCommandTimeout, DEFAULT_REDIS_COMMAND_TIMEOUT,
                Duration.ofMillis(MIN_REDIS_COMMAND_TIMEOUT_MS));
    }

    public boolean redisConfigured() {
        return !redisUrl.isEmpty();
    }

    private static int positive(String name, Integer value, int fallback) {
        return Setting.atLeast("ordinaut.events." + name, value, fallback, 1);
    }

    private static String name(String name, String value, String fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        return value.strip();
    }

    private static Duration duration(String name, Duration value, Duration fallback) {
        return Setting.positive("ordinaut.events." + name, value, fallback);
    }
}
