package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.support.Api;
import io.ordinaut.support.Nodes;
import io.ordinaut.support.TestRedis;

/**
 * The relay skips entries at or below a stream's position, so that a timed-out append Redis ran late is not
 * appended twice. A second database relaying to the same streams — a fresh install or a reset pointed at the
 * same Redis — numbers its outbox from 1 again; its entries must be appended, not skipped against the first
 * database's position.
 */
class RelayOriginTest {

    private static final String PREFIX = "ordinaut:test:" + UUID.randomUUID() + ":";

    private final Nodes first = Nodes.onFreshDatabase();
    private final Nodes second = Nodes.onFreshDatabase();

    @AfterEach
    void stop() {
        first.close();
        second.close();
    }

    private static ConfigurableApplicationContext node(Nodes nodes, String id) {
        return nodes.start(id, Map.of("ordinaut.events.redis-url", TestRedis.url(),
                "ordinaut.events.events-stream", PREFIX + "events", "ordinaut.events.runs-stream", PREFIX + "runs",
                "ordinaut.events.inbound-stream", PREFIX + "in"));
    }

    private static void publishAndRelay(ConfigurableApplicationContext node, String topic, int count) {
        Api api = Nodes.api(node);
        for (int i = 0; i < count; i++) {
            api.post("/events", Map.of("topic", topic, "payload", Map.of("i", i))).expect(202);
        }
        JdbcClient jdbc = Nodes.jdbc(node);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                jdbc.sql("SELECT count(*) FROM outbox WHERE relayed_at IS NULL").query(Long.class).single()).isZero());
    }

    private static List<String> topics() {
        RedisClient client = RedisClient.create(TestRedis.url());
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            return conn.sync().xrange(PREFIX + "events", Range.create("-", "+")).stream()
                    .map(m -> m.getBody().get("topic")).toList();
        } finally {
            client.shutdown();
        }
    }

    @Test
    void a_new_database_relaying_to_the_same_streams_is_not_skipped_against_the_old_ones_position() {
        // given one database's events relayed to the streams
        ConfigurableApplicationContext old = node(first, "origin-1");
        publishAndRelay(old, "first.db", 6);
        first.stop(old);
        assertThat(topics()).containsExactly("first.db", "first.db", "first.db", "first.db", "first.db", "first.db");

        // when a new database, numbering its outbox from 1 again, relays to the same streams
        ConfigurableApplicationContext fresh = node(second, "origin-2");
        publishAndRelay(fresh, "second.db", 3);

        // then its events follow the first database's, none skipped
        assertThat(topics()).containsExactly("first.db", "first.db", "first.db", "first.db", "first.db", "first.db",
                "second.db", "second.db", "second.db");
    }
}
