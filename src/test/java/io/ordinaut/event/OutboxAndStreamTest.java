package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Api;
import io.ordinaut.support.NodeTestSupport;

/** The outbox written with each change, and GET /events/stream from PostgreSQL alone (no Redis configured). */
@TestPropertySource(properties = "ordinaut.events.sse-keep-alive=1s")
class OutboxAndStreamTest extends NodeTestSupport {

    private static Map<String, Object> eventTask(String topic) {
        return Map.of("title", "on " + topic, "schedule_kind", "event", "schedule_expr", topic,
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
    }

    private List<String> outboxTypes(String taskId) {
        return jdbc.sql("SELECT type FROM outbox WHERE task_id = CAST(:t AS uuid) ORDER BY id")
                .param("t", taskId).query(String.class).list();
    }

    private String agentToken(String name, String... scopes) {
        String id = api.post("/agents", Map.of("name", name + "-" + UUID.randomUUID().toString().substring(0, 8),
                "scopes", List.of(scopes))).expect(201).string("id");
        String secret = api.post("/agents/" + id + "/credentials", "{}").expect(200).string("agent_secret");
        return api.as(null).post("/agents/auth/token", Map.of("agent_id", id, "agent_secret", secret)).expect(200)
                .string("access_token");
    }

    @Test
    void task_changes_and_the_whole_run_lifecycle_are_written_to_the_outbox() {
        String task = api.post("/tasks", eventTask("outbox.lifecycle")).expect(201).string("id");
        api.post("/tasks/" + task + "/pause", "{}").expect(200);
        api.post("/tasks/" + task + "/resume", "{}").expect(200);
        api.put("/tasks/" + task, Map.of("title", "renamed")).expect(200);
        api.post("/events", Map.of("topic", "outbox.lifecycle", "payload", Map.of())).expect(202);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(outboxTypes(task)).containsExactly(
                "task.created", "task.paused", "task.resumed", "task.updated", "run.queued", "run.started", "run.succeeded"));
        api.delete("/tasks/" + task).expect(200);
        assertThat(outboxTypes(task)).endsWith("task.canceled");
        String event = jdbc.sql("SELECT body::text FROM outbox WHERE type = 'event' AND body ->> 'topic' = 'outbox.lifecycle'")
                .query(String.class).single();
        assertThat(event).contains("\"event_id\"", "\"published_at\"", "\"payload\"");
        // every row gets its delivery position
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(jdbc.sql("SELECT count(*) FROM outbox WHERE seq IS NULL").query(Integer.class).single()).isZero());
    }

    @Test
    void a_refused_publish_leaves_nothing_in_the_outbox() {
        long before = jdbc.sql("SELECT count(*) FROM outbox WHERE type = 'event'").query(Long.class).single();
        api.post("/events", Map.of("topic", "outbox.refused", "payload", Map.of(), "source_agent_id",
                UUID.randomUUID().toString())).expect(400);
        assertThat(jdbc.sql("SELECT count(*) FROM outbox WHERE type = 'event'").query(Long.class).single()).isEqualTo(before);
    }

    @Test
    void the_stream_delivers_lifecycle_entries_and_resumes_after_last_event_id() throws Exception {
        api.post("/tasks", eventTask("stream.topic")).expect(201);
        try (SseClient sse = new SseClient(port, Api.ADMIN_TOKEN, null)) {
            Thread.sleep(500); // the subscription starts at the newest entry
            api.post("/events", Map.of("topic", "stream.topic", "payload", Map.of("k", "v"))).expect(202);
            List<SseClient.Event> seen = sse.until("run.succeeded", Duration.ofSeconds(30));
            assertThat(seen).extracting(SseClient.Event::name).containsSubsequence("event", "run.queued", "run.started", "run.succeeded");
            assertThat(seen.stream().filter(e -> e.name().equals("event")).findFirst().orElseThrow().data())
                    .contains("\"outbox_id\"", "\"topic\":\"stream.topic\"", "\"payload\":{\"k\":\"v\"}");
            List<Long> ids = seen.stream().map(e -> Long.parseLong(e.id())).toList();
            assertThat(ids).isSorted().doesNotHaveDuplicates();

            // reconnecting after the first entry replays exactly the rest
            try (SseClient resumed = new SseClient(port, Api.ADMIN_TOKEN, seen.get(0).id())) {
                List<SseClient.Event> replay = resumed.until("run.succeeded", Duration.ofSeconds(30));
                assertThat(replay).extracting(SseClient.Event::id)
                        .containsExactlyElementsOf(seen.subList(1, seen.size()).stream().map(SseClient.Event::id).toList());
            }
            // an idle stream gets keep-alive comments
            await().atMost(Duration.ofSeconds(10)).until(() -> sse.comments() > 0);
        }
    }

    @Test
    void the_stream_shows_an_agent_only_its_own_tasks_and_events() throws Exception {
        String alice = agentToken("alice", "tasks:create", "runs:read", "events:publish");
        String bob = agentToken("bob", "tasks:create", "runs:read", "events:publish");
        api.as(alice).post("/tasks", eventTask("private.topic")).expect(201);
        try (SseClient bobs = new SseClient(port, bob, "0"); SseClient alices = new SseClient(port, alice, "0")) {
            api.as(alice).post("/events", Map.of("topic", "private.topic", "payload", Map.of())).expect(202);
            alices.until("run.succeeded", Duration.ofSeconds(30));
            // bob's own action marks the point by which alice's entries would have reached him
            String bobsTask = api.as(bob).post("/tasks", eventTask("bob.topic")).expect(201).string("id");
            List<SseClient.Event> bobSaw = bobs.until("task.created", Duration.ofSeconds(30));
            assertThat(bobSaw).hasSize(1);
            assertThat(bobSaw.get(0).data()).contains(bobsTask);
        }
    }

    @Test
    void retention_deletes_old_delivered_rows_and_numbering_goes_on_after_them() {
        api.post("/events", Map.of("topic", "retention.topic", "payload", Map.of())).expect(202);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(jdbc.sql("SELECT count(*) FROM outbox WHERE seq IS NULL").query(Integer.class).single()).isZero());
        long last = jdbc.sql("SELECT max(seq) FROM outbox").query(Long.class).single();
        jdbc.sql("UPDATE outbox SET created_at = created_at - interval '2 days'").update();

        new PruneOutbox(jdbc, java.time.Clock.systemUTC(), Duration.ofDays(1), false).run();
        assertThat(jdbc.sql("SELECT count(*) FROM outbox").query(Integer.class).single()).isZero();

        api.post("/events", Map.of("topic", "retention.topic", "payload", Map.of())).expect(202);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                jdbc.sql("SELECT coalesce(min(seq), 0) FROM outbox").query(Long.class).single()).isGreaterThan(last));
    }

    @Test
    void a_bad_last_event_id_is_a_400() {
        assertThat(api.get("/events/stream?last_event_id=abc").status()).isEqualTo(400);
    }
}
