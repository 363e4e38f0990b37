package io.ordinaut.event;

import java.time.Duration;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;

/**
 * Connections to the Redis of ordinaut.events.redis-url. Commands are refused at once while the
 * connection is down instead of being queued: a queued XADD would be sent after reconnecting although
 * the relay had already rolled back and would send it again.
 */
final class RedisStreams implements AutoCloseable {

    private final RedisClient client;

    /** @param commandTimeout how long a command waits for Redis's answer (ordinaut.events.redis-command-timeout) */
    RedisStreams(String url, Duration commandTimeout) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(commandTimeout);
        client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .autoReconnect(true)
                .build());
    }

    /** A new connection; blocking readers need their own so they never stall the relay. */
    StatefulRedisConnection<String, String> connect() {
        return client.connect();
    }

    /** A new connection whose keys and values are the bytes Redis holds, for a reader that decodes them itself. */
    StatefulRedisConnection<byte[], byte[]> connectBinary() {
        return client.connect(ByteArrayCodec.INSTANCE);
    }

    /** A connection that is opened on first use and again after it failed. */
    final class Lazy implements AutoCloseable {

        private StatefulRedisConnection<String, String> connection;

        synchronized RedisCommands<String, String> commands() {
            return open().sync();
        }

        /** Asynchronous commands: issued back to back they are pipelined, one round trip for many. */
        synchronized RedisAsyncCommands<String, String> async() {
            return open().async();
        }

        /**
         * Drops the connection (the next use opens a new one): commands still waiting on it are abandoned rather
         * than followed by more on a connection Redis has stopped reading.
         */
        synchronized void reset() {
            close();
        }

        private StatefulRedisConnection<String, String> open() {
            if (connection == null || !connection.isOpen()) {
                if (connection != null) {
                    // stops the broken connection's own reconnect attempts, which would otherwise leak it
                    connection.close();
                    connection = null;
                }
                connection = connect();
            }
            return connection;
        }

        @Override
        public synchronized void close() {
            if (connection != null) {
                connection.close();
                connection = null;
            }
        }
    }

    @Override
    public void close() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
