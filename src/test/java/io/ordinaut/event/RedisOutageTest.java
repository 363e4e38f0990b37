package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.ordinaut.support.Api;
import io.ordinaut.support.Nodes;
import io.ordinaut.support.PrivateRedis;

/**
 * Redis stopped while events are published and runs finish: the API and runs go on, /health is degraded
 * with the backlog, and once Redis is back every outbox row is relayed, in order, exactly once. Uses a
 * redis-server of its own on a spare port (never the shared one).
 */
class RedisOutageTest {

    private final Nodes nodes = Nodes.onFreshDatabase();
    private PrivateRedis redis;

    @AfterEach
    void stop() throws Exception {
        nodes.close();
        if (redis != null) {
            redis.close();
        }
    }

    /** A task run by every event of {@code topic}, however many overlap. */
    static Map<String, Object> eventTask(String topic) {
        return Map.of("title", "on " + topic, "schedule_kind", "event", "schedule_expr", topic, "overlap_policy", "allow",
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
    }

    @Test
    @SuppressWarnings("unchecked")
    void while_redis_is_down_the_outbox_grows_and_is_relayed_in_order_exactly_once_when_it_is_back() throws Exception {
        redis = PrivateRedis.start();
        ConfigurableApplicationContext node = nodes.start("outage-1", Map.of("ordinaut.events.redis-url", redis.url()));
        Api api = Nodes.api(node);
        JdbcClient jdbc = Nodes.jdbc(node);
        String task = api.post("/tasks", eventTask("outage.topic")).expect(201).string("id");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                jdbc.sql("SELECT count(*) FROM outbox WHERE relayed_at IS NULL").query(Long.class).single()).isZero());
        long relayedBefore = jdbc.sql("SELECT max(last_seq) FROM outbox").query(Long.class).single();

        // when Redis stops
        redis.stopServer();
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            events.add(api.post("/events", Map.of("topic", "outage.topic", "payload", Map.of("i", i))).expect(202)
                    .details().get("event_id").toString());
        }
        // then runs still complete and /health says degraded with the backlog
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(jdbc.sql(
                "SELECT count(*) FROM task_run WHERE task_id = CAST(:t AS uuid) AND status = 'succeeded'")
                .param("t", task).query(Long.class).single()).isEqualTo(5));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Api.Response health = api.get("/health");
            Map<String, Object> outbox = (Map<String, Object>) ((Map<String, Object>) health.get("checks")).get("outbox");
            assertThat(health.get("status")).isEqualTo("degraded");
            assertThat(outbox.get("status")).isEqualTo("degraded");
            // the check pings the Redis of ordinaut.events.redis-url (not the shared one at the default port)
            assertThat((Map<String, Object>) ((Map<String, Object>) health.get("checks")).get("redis"))
                    .containsEntry("status", "unhealthy").containsKey("error");
            assertThat(((Number) outbox.get("backlog")).longValue()).isGreaterThanOrEqualTo(5 + 5 * 3);
        });

        // when Redis is back
        redis.startServer();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                jdbc.sql("SELECT count(*) FROM outbox WHERE relayed_at IS NULL").query(Long.class).single()).isZero());

        // then every row since the outage is in its stream, in order, exactly once
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            for (String stream : List.of("events", "runs")) {
                List<Long> expected = jdbc.sql("SELECT seq FROM outbox_entry WHERE stream = :s AND seq > :after ORDER BY seq")
                        .param("s", stream).param("after", relayedBefore).query(Long.class).list();
                List<Long> delivered = conn.sync().xrange("ordinaut:" + stream, Range.create("-", "+")).stream()
                        .map(m -> Long.parseLong(m.getBody().get("outbox_id"))).toList();
                assertThat(delivered).as(stream).containsExactlyElementsOf(expected);
            }
            assertThat(conn.sync().xrange("ordinaut:events", Range.create("-", "+")).stream()
                    .map(m -> m.getBody().get("event_id")).toList()).containsExactlyElementsOf(events);
        } finally {
            client.shutdown();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(api.get("/health").get("status")).isEqualTo("healthy"));
        assertThat(api.get("/health").get("checks").toString()).contains("redis={status=healthy");
    }
}
