package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ordinaut.support.NodeTestSupport;
import io.ordinaut.support.TestStreams;

/**
 * Inbound entries that can never be published — the database refuses their data, or they fail on every
 * delivery — go to the dead-letter stream with the reason instead of staying pending for ever.
 */
class InboundPoisonTest extends NodeTestSupport {

    private static final TestStreams STREAMS = new TestStreams();
    private static final String IN = STREAMS.inbound();
    private static final String DEAD = STREAMS.dead();
    private static final String SYSTEM = "00000000-0000-0000-0000-000000000001";
    private static RedisCommands<String, String> redis;

    @DynamicPropertySource
    static void streams(DynamicPropertyRegistry registry) {
        STREAMS.register(registry);
        registry.add("ordinaut.events.inbound-claim-idle", () -> "1s");
    }

    @BeforeAll
    static void connect() {
        redis = STREAMS.redis();
    }

    @AfterAll
    static void cleanUp() {
        STREAMS.close();
    }

    /** Stand-ins for failures the checks cannot foresee: a data error, and one that is neither data nor an outage. */
    @BeforeEach
    void poisonTopics() {
        jdbc.sql("""
                CREATE OR REPLACE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.topic = 'poison.data' THEN
                        RAISE EXCEPTION 'value out of range for the test' USING ERRCODE = '22003';
                    ELSIF NEW.topic = 'poison.other' THEN
                        RAISE EXCEPTION 'fails every time for the test' USING ERRCODE = 'P0001';
                    END IF;
                    RETURN NEW;
                END $$
                """).update();
        jdbc.sql("DROP TRIGGER IF EXISTS test_poison ON event").update();
        jdbc.sql("CREATE TRIGGER test_poison BEFORE INSERT ON event FOR EACH ROW EXECUTE FUNCTION test_poison()").update();
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

    private static Map<String, String> deadOf(String eventId) {
        return redis.xrange(DEAD, Range.create("-", "+")).stream().map(StreamMessage::getBody)
                .filter(b -> eventId.equals(b.get("event_id"))).findFirst().orElse(null);
    }

    @Test
    void a_payload_with_a_nul_or_an_unpaired_surrogate_is_dead_lettered_with_the_rest_checks_reason() {
        String task = eventTask("poison.after");
        String nul = "nul-" + UUID.randomUUID();
        String surrogate = "surrogate-" + UUID.randomUUID();
        String good = "good-" + UUID.randomUUID();
        // valid JSON text, as a plain Redis client writes it: the escapes are in the text
        redis.xadd(IN, entry("ok.topic", "{\"a\":\"\\u0000\"}", nul));
        redis.xadd(IN, entry("ok.topic", "{\"b\":[\"\\ud800\"]}", surrogate));
        redis.xadd(IN, entry("poison.after", "{}", good));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(deadOf(nul)).isNotNull();
            assertThat(deadOf(surrogate)).isNotNull();
        });
        assertThat(deadOf(nul).get("reason")).isEqualTo("payload.a: payload.a holds a NUL character (\\u0000), which cannot be stored");
        assertThat(deadOf(surrogate).get("reason")).contains("payload.b[0]", "unpaired surrogate");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(runsOf(task)).hasSize(1));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(redis.xpending(IN, "ordinaut").getCount()).isZero());
        api.get("/events/" + nul).expect(404);
    }

    @Test
    void an_entry_the_database_refuses_is_dead_lettered_at_once_and_the_rest_of_the_batch_goes_on() {
        String task = eventTask("data.after");
        String refused = "refused-" + UUID.randomUUID();
        redis.multi();
        redis.xadd(IN, entry("poison.data", "{}", refused));
        redis.xadd(IN, entry("data.after", "{}", "good-" + UUID.randomUUID()));
        redis.exec();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deadOf(refused)).isNotNull());
        assertThat(deadOf(refused).get("reason")).startsWith("the database refused it: ").contains("value out of range for the test");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(runsOf(task)).hasSize(1));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(redis.xpending(IN, "ordinaut").getCount()).isZero());
    }

    @Test
    void an_entry_that_fails_on_every_delivery_is_dead_lettered_after_the_bound() {
        String failing = "failing-" + UUID.randomUUID();
        redis.xadd(IN, entry("poison.other", "{}", failing));

        // claimed again each second (inbound-claim-idle 1s here) until its fifth delivery fails too
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(deadOf(failing)).isNotNull());
        assertThat(deadOf(failing).get("reason")).startsWith("publishing failed on each of its "
                + ReadInboundStream.MAX_DELIVERIES + " deliveries, the last time with: ").contains("fails every time for the test");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(redis.xpending(IN, "ordinaut").getCount()).isZero());
    }
}
