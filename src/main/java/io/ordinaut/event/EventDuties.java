package io.ordinaut.event;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.agent.TokenRecheck;
import io.ordinaut.config.NodeProperties;
import io.ordinaut.queue.Duty;
import io.ordinaut.tool.ToolRouter;

/**
 * Starts this package's background loops with the node and stops them before the database goes: the
 * outbox sequencer, the live feed behind GET /events/stream, outbox retention, webhooks, and with Redis the relay and the inbound reader.
 */
@Component
class EventDuties implements SmartLifecycle {

    private static final long FEED_POLL_MS = 250;
    private static final long PRUNE_MS = 60_000;

    private final LiveFeed feed;
    private final List<Duty> loops = new ArrayList<>();
    private volatile boolean running;

    private static final long INBOUND_PAUSE_MS = 10;
    private static final long WEBHOOK_POLL_MS = 500;

    private RedisStreams redis;
    private ReadInboundStream inbound;
    private RedisStreams.Lazy relayConnection;
    private RedisStreams.Lazy healthConnection;

    EventDuties(JdbcClient jdbc, TransactionTemplate tx, OutboxReader outbox, EventProperties properties, Clock clock,
                RelayStatus relayStatus, JsonMapper json, EventPublisher publisher, EventStore store, NodeProperties node,
                ToolRouter tools, TokenRecheck tokens) {
        this.feed = new LiveFeed(outbox, tokens, clock, properties.sseKeepAlive().toMillis());
        Duty feedLoop = new Duty("event-live-feed", FEED_POLL_MS, feed, true);
        SequenceOutbox sequencer = new SequenceOutbox(jdbc, tx, properties.relayBatch(), feedLoop::wake);
        loops.add(new Duty("outbox-sequencer", properties.relayInterval().toMillis(), sequencer, true));
        loops.add(feedLoop);
        loops.add(new Duty("outbox-retention", PRUNE_MS,
                new PruneOutbox(jdbc, clock, properties.retention(), properties.redisConfigured()), true));
        loops.add(new Duty("webhooks", WEBHOOK_POLL_MS, new DeliverWebhooks(jdbc, tx, tools, properties, clock, json), true));
        if (properties.redisConfigured()) {
            redis = new RedisStreams(properties.redisUrl(), properties.redisCommandTimeout());
            relayConnection = redis.new Lazy();
            healthConnection = redis.new Lazy();
            loops.add(new Duty("outbox-relay", properties.relayInterval().toMillis(),
                    new RelayOutbox(jdbc, tx, relayConnection, json, properties, relayStatus), true));
            inbound = new ReadInboundStream(redis, publisher, store, properties, json, node.id());
            // the read itself blocks up to a second, and a failed round waits a second before the next
            loops.add(new Duty("inbound-stream", INBOUND_PAUSE_MS, inbound, true));
        }
    }

    /** Redis, when configured (the inbound reader opens its own connection). */
    RedisStreams redis() {
        return redis;
    }

    /** The connection /health pings Redis on; null without Redis. */
    RedisStreams.Lazy healthConnection() {
        return healthConnection;
    }

    LiveFeed feed() {
        return feed;
    }

    /** Adds a loop (the Redis relay and reader, webhooks) started and stopped with the others. */
    void add(Duty loop) {
        loops.add(loop);
        if (running) {
            loop.start();
        }
    }

    @Override
    public void start() {
        loops.forEach(Duty::start);
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        feed.closeAll();
        loops.forEach(Duty::stop);
        if (redis != null) {
            relayConnection.close();
            healthConnection.close();
            inbound.close();
            redis.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
