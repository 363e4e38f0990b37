package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import io.ordinaut.support.TestRedis;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stopping node interrupts the inbound reader in its blocking read (against the shared Redis, a stream of
 * its own): that is no failure, and must not be logged as Redis being unreadable.
 */
class InboundStreamStopTest {

    private static final String STREAM = "ordinaut:test:" + UUID.randomUUID() + ":in";
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ReadInboundStream.class);
    private RedisStreams redis;

    @BeforeEach
    void capture() {
        logged.start();
        logger.addAppender(logged);
        redis = new RedisStreams(TestRedis.url(), EventProperties.DEFAULT_REDIS_COMMAND_TIMEOUT);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
        redis.close();
        RedisClient client = RedisClient.create(TestRedis.url());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().del(STREAM, STREAM + ":dead");
        } finally {
            client.shutdown();
        }
    }

    @Test
    void anInterruptedReadEndsQuietlyAndKeepsTheInterrupt() throws Exception {
        EventProperties properties = new EventProperties(TestRedis.url(), null, null, null, null, null, null, null,
                STREAM, null, null, null, null, null, null, null, null, null);
        // An empty stream: the reader never hands an event on, so it needs no publisher or store.
        ReadInboundStream reader = new ReadInboundStream(redis, null, null, properties, JsonMapper.builder().build(), "stop-test");
        AtomicBoolean interruptKept = new AtomicBoolean();
        Thread thread = new Thread(() -> {
            reader.run(); // connects, creates the group, reads (blocking up to a second): nothing there
            reader.run(); // blocks again, and is interrupted below
            interruptKept.set(Thread.currentThread().isInterrupted());
        });
        thread.start();
        Thread.sleep(1_500);
        thread.interrupt();
        thread.join(10_000);
        reader.close();

        assertThat(thread.isAlive()).isFalse();
        assertThat(interruptKept).isTrue();
        assertThat(logged.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
    }
}
