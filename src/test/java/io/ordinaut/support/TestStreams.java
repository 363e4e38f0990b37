package io.ordinaut.support;

import java.util.Map;
import java.util.UUID;

import org.springframework.test.context.DynamicPropertyRegistry;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;

/**
 * Redis stream names of one test class's own on the shared Redis ({@link TestRedis}), so classes never read
 * each other's entries, and a client for reading and writing them; {@link #close} deletes the streams.
 */
public final class TestStreams implements AutoCloseable {

    private final String prefix = "ordinaut:test:" + UUID.randomUUID() + ":";
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private StatefulRedisConnection<byte[], byte[]> binary;

    public String events() {
        return prefix + "events";
    }

    public String runs() {
        return prefix + "runs";
    }

    public String inbound() {
        return prefix + "in";
    }

    /** The inbound stream's dead letters. */
    public String dead() {
        return inbound() + ":dead";
    }

    /** The settings that point a node at the shared Redis and these streams. */
    public Map<String, Object> settings() {
        return Map.of("ordinaut.events.redis-url", TestRedis.url(), "ordinaut.events.events-stream", events(),
                "ordinaut.events.runs-stream", runs(), "ordinaut.events.inbound-stream", inbound());
    }

    /** {@link #settings} for a node a Spring test starts. */
    public void register(DynamicPropertyRegistry registry) {
        settings().forEach((name, value) -> registry.add(name, () -> value));
    }

    /** Commands on the shared Redis (connected on first use). */
    public synchronized RedisCommands<String, String> redis() {
        if (connection == null) {
            client = RedisClient.create(TestRedis.url());
            connection = client.connect();
        }
        return connection.sync();
    }

    /** Commands on the shared Redis that read and write bytes as they are (connected on first use). */
    public synchronized RedisCommands<byte[], byte[]> binary() {
        redis();
        if (binary == null) {
            binary = client.connect(ByteArrayCodec.INSTANCE);
        }
        return binary.sync();
    }

    @Override
    public synchronized void close() {
        redis().del(events(), runs(), inbound(), dead());
        if (binary != null) {
            binary.close();
            binary = null;
        }
        connection.close();
        client.shutdown();
        connection = null;
    }
}
