package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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

import io.ordinaut.support.Api;
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

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Arrays.stream(parts).forEach(out::writeBytes);
        return out.toByteArray();
    }

    /** The dead letter of the entry with this event_id, field by field as Redis holds it; null until there is one. */
    private static List<Map.Entry<String, byte[]>> deadFieldsOf(String eventId) {
        for (StreamMessage<byte[], byte[]> m : STREAMS.binary().xrange(bytes(DEAD), Range.create("-", "+"))) {
            List<Map.Entry<String, byte[]>> fields = new ArrayList<>();
            // byte[] keys compare by identity: a field given twice is two entries of the body
            m.getBody().forEach((k, v) -> fields.add(Map.entry(new String(k, StandardCharsets.UTF_8), v)));
            if (fields.stream().anyMatch(f -> f.getKey().equals("event_id") && Arrays.equals(f.getValue(), bytes(eventId)))) {
                return fields;
            }
        }
        return null;
    }

    /** The dead letter's reason for the entry with this event_id; null until there is one. */
    private static String reasonOf(String eventId) {
        List<Map.Entry<String, byte[]>> fields = deadFieldsOf(eventId);
        return fields == null ? null : fields.stream().filter(f -> f.getKey().equals("reason"))
                .map(f -> new String(f.getValue(), StandardCharsets.UTF_8)).reduce((first, last) -> last).orElseThrow();
    }

    private static void awaitDead(String... eventIds) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(Arrays.stream(eventIds).filter(id -> deadFieldsOf(id) == null)).isEmpty());
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
        List<String> ids = bad.stream().map(m -> m.get("event_id")).toList();
        List<StreamMessage<String, String>> dead = redis.xrange(DEAD, Range.create("-", "+")).stream()
                .filter(m -> ids.contains(m.getBody().get("event_id"))).toList();
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
    void bytes_that_are_not_utf8_are_dead_lettered_as_post_events_refuses_them_never_replaced() {
        String inPayload = "not-utf8-payload-" + UUID.randomUUID();
        String overlong = "not-utf8-overlong-" + UUID.randomUUID();
        String inTopic = "not-utf8-topic-" + UUID.randomUUID();
        byte[] payload = concat(bytes("{\"a\":\""), new byte[] {(byte) 0xff, (byte) 0xfe}, bytes("\"}"));
        // an overlong form of '?', which a lenient decoder reads as a character
        byte[] overlongPayload = concat(bytes("{\"a\":\""), new byte[] {(byte) 0xc0, (byte) 0xbf}, bytes("\"}"));
        byte[] topic = concat(bytes("ok"), new byte[] {(byte) 0xc3}, bytes(".topic"));
        RedisCommands<byte[], byte[]> binary = STREAMS.binary();
        binary.xadd(bytes(IN), bytes("topic"), bytes("ok.topic"), bytes("payload"), payload, bytes("agent_id"), bytes(SYSTEM),
                bytes("event_id"), bytes(inPayload));
        binary.xadd(bytes(IN), bytes("topic"), bytes("ok.topic"), bytes("payload"), overlongPayload, bytes("agent_id"),
                bytes(SYSTEM), bytes("event_id"), bytes(overlong));
        binary.xadd(bytes(IN), bytes("topic"), topic, bytes("payload"), bytes("{}"), bytes("agent_id"), bytes(SYSTEM),
                bytes("event_id"), bytes(inTopic));

        awaitDead(inPayload, overlong, inTopic);
        // POST /events says the same of the same bytes, 30 bytes further on: {"topic":"ok.topic","payload": comes first
        String rest = api.postBytes("/events", concat(bytes("{\"topic\":\"ok.topic\",\"payload\":"), payload, bytes("}")),
                "application/json").expect(400).string("message");
        assertThat(rest).isEqualTo("Request body is not valid JSON: bytes that are not UTF-8 at line 1, column 38");
        assertThat(reasonOf(inPayload)).isEqualTo("payload: payload is not valid JSON: bytes that are not UTF-8 at line 1, column 8");
        assertThat(reasonOf(overlong)).isEqualTo("payload: payload is not valid JSON: bytes that are not UTF-8 at line 1, column 8");
        assertThat(reasonOf(inTopic)).isEqualTo("topic: topic holds bytes that are not UTF-8 at line 1, column 4");
        // the dead letter holds the entry's own bytes, and where it came from
        List<Map.Entry<String, byte[]>> dead = deadFieldsOf(inPayload);
        assertThat(dead.stream().filter(f -> f.getKey().equals("payload")).map(Map.Entry::getValue)).containsExactly(payload);
        assertThat(dead.stream().map(Map.Entry::getKey)).contains("original_id");
        for (String id : List.of(inPayload, overlong, inTopic)) {
            api.get("/events/" + id).expect(404);
        }
    }

    @Test
    void fields_follow_post_events_unknown_and_repeated_ones_are_dead_lettered_and_source_agent_id_is_honoured() {
        Api.AgentApi agent = api.newAgent("events:publish");
        String extra = "extra-" + UUID.randomUUID();
        Map<String, String> withExtra = entry("ok.topic", "{}", extra);
        withExtra.put("extra", "x");
        redis.xadd(IN, withExtra);
        String twice = "twice-" + UUID.randomUUID();
        redis.xadd(IN, "topic", "x.one", "topic", "x.two", "payload", "{}", "agent_id", SYSTEM, "event_id", twice);
        String foreign = "foreign-source-" + UUID.randomUUID();
        Map<String, String> foreignSource = entry("ok.topic", "{}", foreign);
        foreignSource.put("agent_id", agent.id());
        foreignSource.put("source_agent_id", SYSTEM);
        redis.xadd(IN, foreignSource);
        String notUuid = "bad-source-" + UUID.randomUUID();
        Map<String, String> badSource = entry("ok.topic", "{}", notUuid);
        badSource.put("source_agent_id", "nobody");
        redis.xadd(IN, badSource);
        String own = "own-source-" + UUID.randomUUID();
        Map<String, String> ownSource = entry("ok.topic", "{}", own);
        ownSource.put("agent_id", agent.id());
        ownSource.put("source_agent_id", agent.id());
        redis.xadd(IN, ownSource);
        String admins = "admin-source-" + UUID.randomUUID();
        Map<String, String> adminSource = entry("ok.topic", "{}", admins);
        adminSource.put("source_agent_id", agent.id());
        redis.xadd(IN, adminSource);

        awaitDead(extra, twice, foreign, notUuid);
        assertThat(reasonOf(extra)).isEqualTo("extra: Unknown field extra; allowed fields: agent_id, event_id, payload, source_agent_id, topic");
        assertThat(reasonOf(twice)).isEqualTo("topic: duplicate field topic: an entry gives each field once");
        assertThat(deadFieldsOf(twice).stream().filter(f -> f.getKey().equals("topic")).map(f -> new String(f.getValue(), StandardCharsets.UTF_8)))
                .containsExactly("x.one", "x.two");
        String restRefusal = agent.api().post("/events", Map.of("topic", "ok.topic", "payload", Map.of(), "source_agent_id", SYSTEM))
                .expect(400).string("message");
        assertThat(reasonOf(foreign)).isEqualTo("source_agent_id: " + restRefusal);
        assertThat(reasonOf(notUuid)).isEqualTo("source_agent_id: source_agent_id must be a UUID");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(agent.api().get("/events/" + own).expect(200).map()).containsEntry("source_agent_id", agent.id());
            assertThat(api.get("/events/" + admins).expect(200).map()).containsEntry("source_agent_id", agent.id());
        });
        for (String id : List.of(extra, twice, foreign, notUuid)) {
            api.get("/events/" + id).expect(404);
        }
    }

    @Test
    void payload_refusals_name_the_payload_and_say_what_post_events_says() {
        String duplicateKey = "duplicate-key-" + UUID.randomUUID();
        redis.xadd(IN, entry("ok.topic", "{\"a\":1,\"a\":2}", duplicateKey));
        String tooLarge = "too-large-" + UUID.randomUUID();
        redis.xadd(IN, entry("ok.topic", "{\"s\":\"" + "x".repeat(70_000) + "\"}", tooLarge));

        awaitDead(duplicateKey, tooLarge);
        String rest = api.post("/events", "{\"topic\":\"ok.topic\",\"payload\":{\"a\":1,\"a\":2}}").expect(400).string("message");
        assertThat(rest).isEqualTo("Request body is not valid JSON: duplicate key \"a\" at line 1, column 41");
        assertThat(reasonOf(duplicateKey)).isEqualTo("payload: payload is not valid JSON: duplicate key \"a\" at line 1, column 11");
        assertThat(reasonOf(tooLarge)).isEqualTo("payload: payload is 70008 bytes serialised, over the limit of 65536 bytes");
    }

    @Test
    void an_agent_without_events_publish_a_retired_one_included_cannot_publish_through_the_stream() {
        Api.AgentApi reader = api.newAgent("tasks:read");
        Api.AgentApi retired = api.newAgent("events:publish");
        api.put("/agents/" + retired.id(), Map.of("scopes", List.of())).expect(200);
        String byReader = "by-reader-" + UUID.randomUUID();
        Map<String, String> fromReader = entry("ok.topic", "{}", byReader);
        fromReader.put("agent_id", reader.id());
        redis.xadd(IN, fromReader);
        String byRetired = "by-retired-" + UUID.randomUUID();
        Map<String, String> fromRetired = entry("ok.topic", "{}", byRetired);
        fromRetired.put("agent_id", retired.id());
        redis.xadd(IN, fromRetired);

        awaitDead(byReader, byRetired);
        // the scope is the one POST /events requires
        assertThat(reader.api().post("/events", Map.of("topic", "ok.topic", "payload", Map.of())).expect(403).details())
                .containsEntry("required_scope", ReadInboundStream.PUBLISH_SCOPE);
        assertThat(reasonOf(byReader)).isEqualTo("agent_id: Agent " + reader.id()
                + " lacks the scope events:publish that publishing an event requires");
        assertThat(reasonOf(byRetired)).isEqualTo("agent_id: Agent " + retired.id()
                + " lacks the scope events:publish that publishing an event requires");
        api.get("/events/" + byReader + "?published_by=" + reader.id()).expect(404);
        api.get("/events/" + byRetired + "?published_by=" + retired.id()).expect(404);
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
