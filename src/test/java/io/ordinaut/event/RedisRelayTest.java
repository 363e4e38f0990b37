package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.lettuce.core.Consumer;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ordinaut.support.NodeTestSupport;
import io.ordinaut.support.TestStreams;

/** The relay of the outbox to Redis Streams, against the shared Redis (streams of this test's own names). */
class RedisRelayTest extends NodeTestSupport {

    private static final TestStreams STREAMS = new TestStreams();
    private static RedisCommands<String, String> redis;

    @DynamicPropertySource
    static void streams(DynamicPropertyRegistry registry) {
        STREAMS.register(registry);
    }

    @BeforeAll
    static void connect() {
        redis = STREAMS.redis();
    }

    @AfterAll
    static void cleanUp() {
        STREAMS.close();
    }

    private static Map<String, Object> eventTask(String topic) {
        return Map.of("title", "on " + topic, "schedule_kind", "event", "schedule_expr", topic,
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
    }

    @Test
    void events_and_lifecycle_entries_reach_their_streams_in_order_once_and_are_marked_relayed() {
        String task = api.post("/tasks", eventTask("relay.topic")).expect(201).string("id");
        String eventId = api.post("/events", Map.of("topic", "relay.topic", "payload", Map.of("n", 7))).expect(202)
                .details().get("event_id").toString();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                redis.xrange(STREAMS.runs(), io.lettuce.core.Range.create("-", "+")).stream()
                        .filter(m -> task.equals(m.getBody().get("task_id"))).map(m -> m.getBody().get("type")).toList())
                .containsExactly("task.created", "run.queued", "run.started", "run.succeeded"));

        StreamMessage<String, String> event = redis.xrange(STREAMS.events(), io.lettuce.core.Range.create("-", "+")).stream()
                .filter(m -> eventId.equals(m.getBody().get("event_id"))).findFirst().orElseThrow();
        assertThat(event.getBody()).containsEntry("type", "event").containsEntry("topic", "relay.topic")
                .containsEntry("payload", "{\"n\":7}").containsKeys("published_at", "outbox_id");
        StreamMessage<String, String> succeeded = redis.xrange(STREAMS.runs(), io.lettuce.core.Range.create("-", "+")).stream()
                .filter(m -> "run.succeeded".equals(m.getBody().get("type")) && task.equals(m.getBody().get("task_id")))
                .findFirst().orElseThrow();
        assertThat(succeeded.getBody()).containsKeys("run_id", "task_id", "scheduled_for", "status", "at", "outbox_id")
                .containsEntry("status", "succeeded");

        // all rows relayed, each exactly once, in seq order
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                jdbc.sql("SELECT count(*) FROM outbox WHERE relayed_at IS NULL").query(Long.class).single()).isZero());
        List<Long> relayed = jdbc.sql("SELECT seq FROM outbox_entry WHERE stream = 'runs' ORDER BY seq").query(Long.class).list();
        List<Long> inStream = redis.xrange(STREAMS.runs(), io.lettuce.core.Range.create("-", "+")).stream()
                .map(m -> Long.parseLong(m.getBody().get("outbox_id"))).toList();
        assertThat(inStream).containsExactlyElementsOf(relayed);
        assertThat(api.get("/health").expect(200).get("checks").toString()).contains("outbox");
    }

    @Test
    @SuppressWarnings("unchecked")
    void health_checks_the_redis_of_ordinaut_events_redis_url() {
        // configured only through ordinaut.events.redis-url (what ORDINAUT_REDIS_URL sets), not spring.data.redis.*
        Map<String, Object> checks = (Map<String, Object>) api.get("/health").expect(200).get("checks");
        assertThat((Map<String, Object>) checks.get("redis")).containsEntry("status", "healthy").containsKey("latency_ms");
        assertThat((Map<String, Object>) api.as(null).get("/health").expect(200).get("checks"))
                .containsEntry("redis", Map.of("status", "healthy"));
    }

    @Test
    void a_consumer_group_reads_acks_and_reclaims_a_crashed_consumers_pending_entries() {
        String stream = STREAMS.runs();
        String task = api.post("/tasks", eventTask("group.topic")).expect(201).string("id");
        redis.xgroupCreate(XReadArgs.StreamOffset.from(stream, "$"), "extension",
                io.lettuce.core.XGroupCreateArgs.Builder.mkstream());
        for (int i = 0; i < 3; i++) {
            api.post("/events", Map.of("topic", "group.topic", "payload", Map.of("i", i))).expect(202);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                redis.xrange(stream, io.lettuce.core.Range.create("-", "+")).stream()
                        .filter(m -> task.equals(m.getBody().get("task_id")) && "run.queued".equals(m.getBody().get("type"))))
                .hasSize(3));

        // consumer "a" reads two entries and crashes before acking
        List<StreamMessage<String, String>> taken = redis.xreadgroup(Consumer.from("extension", "a"),
                XReadArgs.Builder.count(2), XReadArgs.StreamOffset.lastConsumed(stream));
        assertThat(taken).hasSize(2);
        // consumer "b" reads the rest and acks them
        List<StreamMessage<String, String>> rest = redis.xreadgroup(Consumer.from("extension", "b"),
                XReadArgs.StreamOffset.lastConsumed(stream));
        assertThat(rest).isNotEmpty();
        redis.xack(stream, "extension", rest.stream().map(StreamMessage::getId).toArray(String[]::new));

        // b claims what a left pending
        ClaimedMessages<String, String> claimed = redis.xautoclaim(stream,
                XAutoClaimArgs.Builder.xautoclaim(Consumer.from("extension", "b"), Duration.ZERO, "0-0").count(10));
        assertThat(claimed.getMessages()).extracting(StreamMessage::getId)
                .containsExactlyElementsOf(taken.stream().map(StreamMessage::getId).toList());
        redis.xack(stream, "extension", claimed.getMessages().stream().map(StreamMessage::getId).toArray(String[]::new));
        assertThat(redis.xpending(stream, "extension").getCount()).isZero();
    }
}
