package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.lettuce.core.Consumer;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ordinaut.support.NodeTestSupport;
import io.ordinaut.support.TestStreams;

/** Events written to the inbound stream by a plain Redis client, against the shared Redis (own stream names). */
class InboundStreamTest extends NodeTestSupport {

    private static final TestStreams STREAMS = new TestStreams();
    private static final String IN = STREAMS.inbound();
    private static final String DEAD = STREAMS.dead();
    private static final String SYSTEM = "00000000-0000-0000-0000-000000000001";
    private static RedisCommands<String, String> redis;

    @DynamicPropertySource
    static void streams(DynamicPropertyRegistry registry) {
        STREAMS.register(registry);
        registry.add("ordinaut.events.inbound-claim-idle", () -> "2s");
    }

    @BeforeAll
    static void connect() {
        redis = STREAMS.redis();
    }

    @AfterAll
    static void cleanUp() {
        STREAMS.close();
    }

    private String eventTask(String topic) {
        return api.post("/tasks", Map.of("title", "on " + topic, "schedule_kind", "event", "schedule_expr", topic,
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))))).expect(201).string("id");
    }

    private static Map<String, String> entry(String topic, String payload, String eventId) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("topic", topic);
        fields.put("payload", payload);
        fields.put("agent_id", SYSTEM);
        fields.put("event_id", eventId);
        return fields;
    }

    private List<String> runsOf(String task) {
        return jdbc.sql("SELECT status FROM task_run WHERE task_id = CAST(:t AS uuid)").param("t", task).query(String.class).list();
    }

    @Test
    void an_xadded_entry_triggers_tasks_and_is_acknowledged_after_commit() {
        String task = eventTask("inbound.orders.created");
        String id = "in-" + UUID.randomUUID();
        redis.xadd(IN, entry("inbound.orders.created", "{\"order_id\":\"o-9\"}", id));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(runsOf(task)).containsExactly("succeeded"));
        Map<String, Object> event = api.get("/events/" + id).expect(200).map();
        assertThat(event).containsEntry("topic", "inbound.orders.created").containsEntry("published_by", SYSTEM);
        assertThat(event.get("payload")).isEqualTo(Map.of("order_id", "o-9"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(redis.xpending(IN, "ordinaut").getCount()).isZero());
    }

    @Test
    void malformed_entries_go_to_the_dead_letter_stream_with_the_reason() {
        Map<String, String> noTopic = entry("x", "{}", "dead-1-" + UUID.randomUUID());
        noTopic.remove("topic");
        Map<String, String> unknownAgent = entry("ok.topic", "{}", "dead-2-" + UUID.randomUUID());
        unknownAgent.put("agent_id", UUID.randomUUID().toString());
        List<Map<String, String>> bad = List.of(noTopic, entry("ok.topic", "{not json", "dead-3-" + UUID.randomUUID()),
                entry("ok.topic", "[1,2]", "dead-4-" + UUID.randomUUID()), entry("has space", "{}", "dead-5-" + UUID.randomUUID()),
                unknownAgent);
        bad.forEach(m -> redis.xadd(IN, m));
        // a good entry after them still goes through: the reader did not stop
        String task = eventTask("after.dead");
        redis.xadd(IN, entry("after.dead", "{}", "good-" + UUID.randomUUID()));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(runsOf(task)).hasSize(1));
        List<StreamMessage<String, String>> dead = redis.xrange(DEAD, Range.create("-", "+"));
        assertThat(dead).hasSize(5);
        assertThat(dead).allSatisfy(m -> assertThat(m.getBody()).containsKeys("reason", "original_id"));
        assertThat(dead.get(0).getBody().get("reason")).contains("topic");
        assertThat(dead.get(1).getBody().get("reason")).contains("not valid JSON");
        assertThat(dead.get(4).getBody().get("reason")).contains("does not exist");
        for (Map<String, String> m : bad) {
            api.get("/events/" + m.get("event_id")).expect(404);
        }
        assertThat(redis.xpending(IN, "ordinaut").getCount()).isZero();
    }

    @Test
    void entries_a_crashed_reader_took_and_never_acknowledged_are_claimed_and_published() {
        String task = eventTask("inbound.crash");
        await().atMost(Duration.ofSeconds(30)).until(() -> redis.exists(IN) == 1 && !redis.xinfoGroups(IN).isEmpty());
        // given a reader that takes two entries and dies before acknowledging them: MULTI makes it take
        // them before the node's blocked reader is served
        String first = "crash-1-" + UUID.randomUUID();
        String second = "crash-2-" + UUID.randomUUID();
        redis.multi();
        redis.xadd(IN, entry("inbound.crash", "{\"n\":1}", first));
        redis.xadd(IN, entry("inbound.crash", "{\"n\":2}", second));
        redis.xreadgroup(Consumer.from("ordinaut", "crashed-node"), XReadArgs.Builder.count(10),
                XReadArgs.StreamOffset.lastConsumed(IN));
        redis.exec();
        assertThat(redis.xpending(IN, "ordinaut").getCount()).isEqualTo(2);

        // then the node claims them once idle, publishes both, and acknowledges them
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(runsOf(task)).hasSize(2));
        api.get("/events/" + first).expect(200);
        api.get("/events/" + second).expect(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(redis.xpending(IN, "ordinaut").getCount()).isZero());
    }
}
