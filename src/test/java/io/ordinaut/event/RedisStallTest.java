package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.support.Api;
import io.ordinaut.support.Nodes;
import io.ordinaut.support.PrivateRedis;

/**
 * Redis stalled (SIGSTOP) rather than down while events flow: the relay's appends time out, yet once Redis
 * resumes every outbox entry is in its stream exactly once and in outbox order — the appends that timed out
 * but ran late and their retries must not both land. Uses a redis-server of its own on a spare port (never
 * the shared one: it is stopped).
 */
@Tag("failover")
class RedisStallTest {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

    private final Nodes nodes = Nodes.onFreshDatabase();
    private PrivateRedis redis;
    private Thread publisher;
    private final AtomicBoolean publishing = new AtomicBoolean();

    @AfterEach
    void stop() throws Exception {
        publishing.set(false);
        if (publisher != null) {
            publisher.join(30_000);
        }
        nodes.close();
        if (redis != null) {
            redis.close();
        }
    }

    private long unrelayed(JdbcClient jdbc) {
        return jdbc.sql("SELECT count(*) FROM outbox WHERE relayed_at IS NULL").query(Long.class).single();
    }

    @SuppressWarnings("unchecked")
    private static String outboxError(Api api) {
        Map<String, Object> checks = (Map<String, Object>) api.get("/health").get("checks");
        Map<String, Object> outbox = (Map<String, Object>) checks.get("outbox");
        return outbox == null ? null : (String) outbox.get("error");
    }

    @Test
    void after_redis_stalls_longer_than_the_command_timeout_every_entry_is_in_its_stream_once_in_order() throws Exception {
        // given a node on its own Redis, with a steady flow of events that each start a run
        redis = PrivateRedis.start();
        ConfigurableApplicationContext node = nodes.start("stall-1", Map.of(
                "ordinaut.events.redis-url", redis.url(),
                "ordinaut.events.redis-command-timeout", COMMAND_TIMEOUT.toMillis() + "ms"));
        Api api = Nodes.api(node);
        JdbcClient jdbc = Nodes.jdbc(node);
        api.post("/tasks", RedisOutageTest.eventTask("stall.topic")).expect(201);
        AtomicInteger published = new AtomicInteger();
        AtomicReference<Throwable> publishFailed = new AtomicReference<>();
        publishing.set(true);
        publisher = new Thread(() -> {
            try {
                while (publishing.get()) {
                    api.post("/events", Map.of("topic", "stall.topic", "payload", Map.of("i", published.get()))).expect(202);
                    published.incrementAndGet();
                    Thread.sleep(250);
                }
            } catch (Throwable e) {
                publishFailed.set(e);
            }
        }, "stall-publisher");
        publisher.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> published.get() >= 4);

        // when Redis stalls (not down: connections stay open, commands go unanswered) well past the timeout
        redis.stall();
        long stoppedAt = System.nanoTime();
        String error = await().atMost(Duration.ofSeconds(60)).until(() -> outboxError(api), e -> e != null);
        long minimumStall = COMMAND_TIMEOUT.multipliedBy(6).toNanos();
        long left = minimumStall - (System.nanoTime() - stoppedAt);
        if (left > 0) {
            Thread.sleep(left / 1_000_000);
        }
        redis.resume();

        // and once the flow stops and the backlog is relayed, each stream holds every entry once, in outbox order
        Thread.sleep(2_000);
        publishing.set(false);
        publisher.join(30_000);
        assertThat(publishFailed.get()).isNull();
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(unrelayed(jdbc)).isZero());
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            for (String stream : List.of("events", "runs")) {
                List<Long> expected = jdbc.sql("SELECT seq FROM outbox_entry WHERE stream = :s ORDER BY seq")
                        .param("s", stream).query(Long.class).list();
                List<Long> delivered = conn.sync().xrange("ordinaut:" + stream, Range.create("-", "+")).stream()
                        .map(m -> Long.parseLong(m.getBody().get("outbox_id"))).toList();
                assertThat(delivered).as(stream).containsExactlyElementsOf(expected);
            }
        } finally {
            client.shutdown();
        }
        assertThat(published.get()).isGreaterThan(10);

        // and while Redis stalled, /health said what failed in words, without Java class names
        assertThat(error).doesNotContainPattern("[a-z]+\\.[a-z]+\\.[A-Za-z]+").doesNotContain("Exception");
    }
}
