package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;

/** The outbox written with each change, and GET /events/stream from PostgreSQL alone (no Redis configured). */
@TestPropertySource(properties = "ordinaut.events.sse-keep-alive=1s")
class OutboxAndStreamTest extends NodeTestSupport {

    private static Map<String, Object> eventTask(String topic) {
        return Map.of("title", "on " + topic, "schedule_kind", "event", "schedule_expr", topic,
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
    }

    private List<String> outboxTypes(String taskId) {
        return jdbc.sql("SELECT type FROM outbox_entry WHERE task_id = CAST(:t AS uuid) ORDER BY row_id, entry_no")
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
        String event = jdbc.sql("SELECT body::text FROM outbox_entry WHERE type = 'event' AND body ->> 'topic' = 'outbox.lifecycle'")
                .query(String.class).single();
        assertThat(event).contains("\"event_id\"", "\"published_at\"", "\"payload\"");
        // every row gets its delivery position
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(jdbc.sql("SELECT count(*) FROM outbox WHERE seq IS NULL").query(Integer.class).single()).isZero());
    }

    @Test
    void a_refused_publish_leaves_nothing_in_the_outbox() {
        long before = jdbc.sql("SELECT count(*) FROM outbox_entry WHERE type = 'event'").query(Long.class).single();
        api.post("/events", Map.of("topic", "outbox.refused", "payload", Map.of(), "source_agent_id",
                UUID.randomUUID().toString())).expect(400);
        assertThat(jdbc.sql("SELECT count(*) FROM outbox_entry WHERE type = 'event'").query(Long.class).single()).isEqualTo(before);
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
            await().atMost(Duration.ofSeconds(10)).until(() -> sse.keepAlives() > 0);
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
    void one_statement_writes_rows_of_at_most_1000_entries_with_dense_positions_each_delivered_once() throws Exception {
        List<Long> positions;
        try (SseClient sse = new SseClient(port, Api.ADMIN_TOKEN, null)) {
            Thread.sleep(500); // the subscription starts at the newest entry
            // 2,500 events in one statement, as a batched claim or finish writes its runs
            jdbc.sql("""
                    INSERT INTO event (id, topic, payload, published_by, published_at)
                    SELECT 'bulk-' || i, 'bulk.topic', jsonb_build_object('i', i), '00000000-0000-0000-0000-000000000001',
                           now() + i * interval '1 microsecond'
                      FROM generate_series(1, 2500) i
                    """).update();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(jdbc.sql("SELECT count(*) FROM outbox WHERE seq IS NULL").query(Integer.class).single()).isZero());
            assertThat(jdbc.sql("SELECT size FROM outbox WHERE entries -> 0 -> 'body' ->> 'topic' = 'bulk.topic' ORDER BY seq").query(Integer.class).list())
                    .containsExactly(1000, 1000, 500);
            assertThat(jdbc.sql("SELECT count(*) FROM outbox WHERE last_seq <> seq + size - 1").query(Integer.class).single()).isZero();
            positions = jdbc.sql("SELECT seq FROM outbox_entry WHERE type = 'event' AND body ->> 'topic' = 'bulk.topic' ORDER BY seq")
                    .query(Long.class).list();
            assertThat(positions).hasSize(2500).doesNotHaveDuplicates();
            assertThat(positions.get(2499) - positions.get(0)).isEqualTo(2499);
            // entries keep the statement's order
            assertThat(jdbc.sql("SELECT body -> 'payload' ->> 'i' FROM outbox_entry WHERE body ->> 'topic' = 'bulk.topic' ORDER BY seq")
                    .query(String.class).list()).first().isEqualTo("1");

            // the live feed pages through them in steps: every entry once, in order, the SSE id its position
            assertDeliveredOnceInOrder(sse, positions);
        }
        // and so does a reader resuming from the start
        try (SseClient replay = new SseClient(port, Api.ADMIN_TOKEN, "0")) {
            assertDeliveredOnceInOrder(replay, positions);
        }
    }

    private static void assertDeliveredOnceInOrder(SseClient sse, List<Long> positions) {
        List<SseClient.Event> all = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            all.addAll(sse.drain());
            return all.stream().anyMatch(e -> e.data().contains("\"bulk-2500\""));
        });
        List<SseClient.Event> bulk = all.stream().filter(e -> e.data().contains("\"bulk.topic\"")).toList();
        assertThat(bulk).extracting(e -> Long.parseLong(e.id())).containsExactlyElementsOf(positions);
        assertThat(bulk.get(0).data()).contains("\"outbox_id\":" + bulk.get(0).id(), "\"event_id\":\"bulk-1\"");
    }

    @Test
    void retention_deletes_old_delivered_rows_and_numbering_goes_on_after_them() {
        api.post("/events", Map.of("topic", "retention.topic", "payload", Map.of())).expect(202);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(jdbc.sql("SELECT count(*) FROM outbox WHERE seq IS NULL").query(Integer.class).single()).isZero());
        long last = jdbc.sql("SELECT max(last_seq) FROM outbox").query(Long.class).single();
        jdbc.sql("UPDATE outbox SET created_at = created_at - interval '2 days'").update();

        new PruneOutbox(jdbc, java.time.Clock.systemUTC(), Duration.ofDays(1), false).run();
        assertThat(jdbc.sql("SELECT count(*) FROM outbox").query(Integer.class).single()).isZero();

        api.post("/events", Map.of("topic", "retention.topic", "payload", Map.of())).expect(202);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                jdbc.sql("SELECT coalesce(min(seq), 0) FROM outbox").query(Long.class).single()).isGreaterThan(last));
    }

    @Test
    void a_bad_last_event_id_is_a_400_naming_where_it_came_from() throws Exception {
        Response query = api.get("/events/stream?last_event_id=abc").expect(400);
        assertThat(query.get("error")).isEqualTo("ValidationError");
        assertThat(query.details()).containsEntry("field", "last_event_id");
        assertThat(query.string("message")).startsWith("last_event_id ");

        HttpResponse<String> header = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/events/stream"))
                .header("Authorization", "Bearer " + Api.ADMIN_TOKEN).header("Last-Event-ID", "-1").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(header.statusCode()).isEqualTo(400);
        assertThat(header.body()).contains("Last-Event-ID must be").doesNotContain("last_event_id");
    }

    /** As every query parameter a handler reads: once, and with a value. */
    @Test
    void last_event_id_given_twice_or_empty_is_a_400_saying_so() {
        Response twice = api.get("/events/stream?last_event_id=1&last_event_id=2").expect(400);
        assertThat(twice.details()).containsEntry("field", "last_event_id");
        assertThat(twice.string("message")).isEqualTo("last_event_id is given 2 times; give it once");
        Response empty = api.get("/events/stream?last_event_id=").expect(400);
        assertThat(empty.string("message")).isEqualTo("last_event_id is empty; give it a value or leave it out");
    }

    @Test
    void only_plain_digits_are_a_last_event_id() throws Exception {
        for (String id : List.of("+0", "0x1", "1e0", "1.0")) {
            // the body is read only once the status is known: a stream that was not refused never ends
            HttpResponse<InputStream> header = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + port + "/events/stream"))
                    .header("Authorization", "Bearer " + Api.ADMIN_TOKEN).header("Last-Event-ID", id).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = header.body()) {
                assertThat(header.statusCode()).as(id).isEqualTo(400);
                assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).as(id)
                        .contains("Last-Event-ID must be the id of an earlier entry (a number: digits only)");
            }
        }
        assertThat(api.get("/events/stream?last_event_id=%2B0").expect(400).details()).containsEntry("field", "last_event_id");
        // a number past a long is past the newest entry, not "not a number"
        assertThat(api.get("/events/stream?last_event_id=99999999999999999999").expect(400).string("message"))
                .startsWith("last_event_id must be the id of an earlier entry; the newest is ");
    }

    /** GET /events/stream asked for JSON reaches GET /events/{id}; it must say what the stream needs, not "not found". */
    @Test
    void the_stream_asked_for_json_answers_406_naming_text_event_stream() throws Exception {
        HttpResponse<String> json = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/events/stream"))
                .header("Authorization", "Bearer " + Api.ADMIN_TOKEN).header("Accept", "application/json").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(json.statusCode()).isEqualTo(406);
        assertThat(json.body()).contains("\"NotAcceptable\"", "text/event-stream");

        // so no event may be named stream: GET /events/stream could never read it
        Response reserved = api.post("/events", Map.of("topic", "ok.topic", "payload", Map.of(), "event_id", "stream")).expect(400);
        assertThat(reserved.details()).containsEntry("field", "event_id");
    }

    /** One agent holding hundreds of streams would take the node's connections and feed rounds from every other agent. */
    @Test
    void an_agent_holds_at_most_ten_streams_open_at_once_and_a_closed_one_frees_its_slot() throws Exception {
        String token = agentToken("streamer", "runs:read");
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                Socket stream = openStream(token);
                assertThat(statusLine(stream)).as("stream %d", i + 1).contains(" 200");
                open.add(stream);
            }
            // the body is read only once the status is known: a stream that was not refused never ends
            HttpResponse<InputStream> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + port + "/events/stream"))
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = refused.body()) {
                assertThat(refused.statusCode()).isEqualTo(429);
                assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).contains("\"RateLimited\"", "\"max_streams\":10");
            }
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();

            // another agent has slots of its own
            Socket others = openStream(agentToken("other-streamer", "runs:read"));
            open.add(others);
            assertThat(statusLine(others)).contains(" 200");

            // a stream the client dropped gives its slot back (noticed at its next keep-alive, 1 s here)
            open.remove(0).close();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
                Socket again = openStream(token);
                if (statusLine(again).contains(" 200")) {
                    open.add(again);
                    return true;
                }
                again.close();
                return false;
            });
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    private Socket openStream(String token) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET /events/stream HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + token
                + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    private static String statusLine(Socket socket) throws IOException {
        StringBuilder line = new StringBuilder();
        InputStream in = socket.getInputStream();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString();
    }
}
