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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.support.Api;
import io.ordinaut.support.Nodes;
import io.ordinaut.support.TestRedis;

/** Two nodes relay the one outbox: never the same row twice, and the survivor goes on when one stops. */
@Tag("cluster")
class RelayFailoverTest {

    private static final String PREFIX = "ordinaut:test:" + UUID.randomUUID() + ":";
    private final Nodes nodes = Nodes.onFreshDatabase();
    private final RedisClient client = RedisClient.create(TestRedis.url());

    @AfterEach
    void stop() {
        nodes.close();
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().del(PREFIX + "events", PREFIX + "runs", PREFIX + "in");
        }
        client.shutdown();
    }

    private ConfigurableApplicationContext start(String id) {
        return nodes.start(id, Map.of("ordinaut.events.redis-url", TestRedis.url(),
                "ordinaut.events.events-stream", PREFIX + "events", "ordinaut.events.runs-stream", PREFIX + "runs",
                "ordinaut.events.inbound-stream", PREFIX + "in"));
    }

    private void assertRelayedOnceInOrder(JdbcClient jdbc, StatefulRedisConnection<String, String> redis) {
        for (String stream : List.of("events", "runs")) {
            List<Long> expected = jdbc.sql("SELECT seq FROM outbox_entry WHERE stream = :s ORDER BY seq").param("s", stream)
                    .query(Long.class).list();
            List<Long> delivered = redis.sync().xrange(PREFIX + stream, Range.create("-", "+")).stream()
                    .map(m -> Long.parseLong(m.getBody().get("outbox_id"))).toList();
            assertThat(delivered).as(stream).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void two_nodes_relay_each_row_once_in_order_and_the_survivor_takes_over() {
        ConfigurableApplicationContext a = start("relay-a");
        ConfigurableApplicationContext b = start("relay-b");
        Api apiA = Nodes.api(a);
        Api apiB = Nodes.api(b);
        JdbcClient jdbc = Nodes.jdbc(b);
        for (int i = 0; i < 20; i++) {
            (i % 2 == 0 ? apiA : apiB).post("/events", Map.of("topic", "failover.t", "payload", Map.of("i", i))).expect(202);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                jdbc.sql("SELECT count(*) FROM outbox WHERE relayed_at IS NULL").query(Long.class).single()).isZero());
        try (StatefulRedisConnection<String, String> redis = client.connect()) {
            assertRelayedOnceInOrder(jdbc, redis);

            // when node a stops, b relays alone within seconds
            nodes.stop(a);
            for (int i = 0; i < 10; i++) {
                apiB.post("/events", Map.of("topic", "failover.t", "payload", Map.of("after", i))).expect(202);
            }
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(
                    jdbc.sql("SELECT count(*) FROM outbox WHERE relayed_at IS NULL").query(Long.class).single()).isZero());
            assertRelayedOnceInOrder(jdbc, redis);
            assertThat(redis.sync().xlen(PREFIX + "events")).isEqualTo(30);
        }
    }
}
