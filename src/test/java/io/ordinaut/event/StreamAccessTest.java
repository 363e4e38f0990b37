package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Api;
import io.ordinaut.support.NodeTestSupport;

/**
 * An open GET /events/stream is a request that lasts: the token that opened it is checked again while it is
 * open, so a revoked token, a rotated secret or a removed scope ends it as it refuses every new request.
 */
@TestPropertySource(properties = {"ordinaut.events.sse-keep-alive=1s", "ordinaut.events.sse-max-streams-per-agent=1"})
@ExtendWith(OutputCaptureExtension.class)
class StreamAccessTest extends NodeTestSupport {

    /** Past the feed's idle re-check (2 s) and a poll round, with room for a loaded machine. */
    private static final Duration BOUND = Duration.ofSeconds(8);

    private static Map<String, Object> eventTask(String topic) {
        return Map.of("title", "on " + topic, "schedule_kind", "event", "schedule_expr", topic,
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
    }

    private Api.AgentApi agent() {
        return api.newAgent("tasks:create", "runs:read", "events:publish");
    }

    private static String token(Api.AgentApi agent) {
        return agent.api().token();
    }

    @Test
    void a_revoked_tokens_stream_gets_nothing_committed_after_the_revocation_and_ends(CapturedOutput output) throws Exception {
        Api.AgentApi alice = agent();
        try (SseClient sse = new SseClient(port, token(alice), "0")) {
            alice.api().post("/tasks", eventTask("revoked.topic")).expect(201);
            sse.until("task.created", Duration.ofSeconds(30));

            api.as(null).post("/agents/auth/revoke", Map.of("token", token(alice))).expect(200);
            // an admin's event reaches alice's task: its run entries are alice's
            String task = api.post("/events", Map.of("topic", "revoked.topic", "payload", Map.of())).expect(202)
                    .details().get("triggered_tasks").toString();
            assertThat(task).isNotEqualTo("[]");

            SseClient.Event end = sse.next(BOUND);
            assertThat(end.name()).isEqualTo("error");
            assertThat(end.data()).contains("\"Unauthorized\"", "revoked");
            await().atMost(BOUND).until(sse::ended);
            // the run went on to its end, and none of its entries reached the stream
            await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.sql(
                    "SELECT count(*) FROM outbox_entry WHERE type = 'run.succeeded'").query(Long.class).single() > 0);
            Thread.sleep(1_000);
            assertThat(sse.drain()).isEmpty();
        }
        // The stream's end is no error of the node's: the async dispatch that finishes the request must not check the
        // dead token again and log a 401 it cannot write to text/event-stream, with its stack traces.
        assertThat(output.getOut() + output.getErr()).doesNotContain("HttpMessageNotWritableException", "Servlet.service()",
                "Exception Processing ErrorPage", "The bearer token is unknown, expired or revoked");
        // the ended stream gave its slot back (one slot per agent here): a new token of alice opens one
        String again = api.as(null).post("/agents/auth/token", Map.of("agent_id", alice.id(), "agent_secret",
                api.post("/agents/" + alice.id() + "/credentials", "{}").expect(200).string("agent_secret"))).expect(200)
                .string("access_token");
        try (SseClient sse = new SseClient(port, again, null)) {
            await().atMost(BOUND).until(() -> sse.status() == 200 || sse.ended());
            assertThat(sse.status()).isEqualTo(200);
        }
    }

    @Test
    void rotating_the_agents_secret_ends_its_open_stream_within_the_bound() throws Exception {
        Api.AgentApi bob = agent();
        try (SseClient sse = new SseClient(port, token(bob), null)) {
            await().atMost(BOUND).until(() -> sse.status() == 200);
            api.post("/agents/" + bob.id() + "/credentials", "{}").expect(200);

            SseClient.Event end = sse.next(BOUND);
            assertThat(end.name()).isEqualTo("error");
            assertThat(end.data()).contains("\"Unauthorized\"");
            await().atMost(BOUND).until(sse::ended);
        }
    }

    @Test
    void taking_runs_read_from_the_agent_ends_its_open_stream_and_delivers_nothing_after() throws Exception {
        Api.AgentApi carol = agent();
        carol.api().post("/tasks", eventTask("scope.topic")).expect(201);
        try (SseClient sse = new SseClient(port, token(carol), null)) {
            await().atMost(BOUND).until(() -> sse.status() == 200);
            api.put("/agents/" + carol.id(), Map.of("scopes", List.of("tasks:create", "events:publish"))).expect(200);
            carol.api().post("/events", Map.of("topic", "scope.topic", "payload", Map.of())).expect(202);

            SseClient.Event end = sse.next(BOUND);
            if (end.name().equals("task.created")) {
                // the task's entry was sequenced after the stream opened, while carol could still read it
                end = sse.next(BOUND);
            }
            assertThat(end.name()).isEqualTo("error");
            assertThat(end.data()).contains("\"Forbidden\"", "runs:read");
            await().atMost(BOUND).until(sse::ended);
            assertThat(sse.drain()).isEmpty();
        }
    }

    @Test
    void a_last_event_id_past_the_newest_entry_is_a_400_naming_the_newest() throws Exception {
        // the body is read only once the status is known: a stream that was not refused never ends
        HttpResponse<InputStream> header = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/events/stream"))
                .header("Authorization", "Bearer " + Api.ADMIN_TOKEN).header("Last-Event-ID", "999999999").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(header.statusCode()).isEqualTo(400);
        assertThat(new String(header.body().readAllBytes(), StandardCharsets.UTF_8)).contains("\"ValidationError\"", "\"field\":\"Last-Event-ID\"",
                "Last-Event-ID must be the id of an earlier entry; the newest is ");

        Api.Response query = api.get("/events/stream?last_event_id=999999999").expect(400);
        assertThat(query.details()).containsEntry("field", "last_event_id");
        long newest = Long.parseLong(query.string("message").replaceAll(".*the newest is (\\d+)$", "$1"));
        assertThat(newest).isLessThan(999999999L);

        // the newest entry itself is a position to resume after
        try (SseClient sse = new SseClient(port, Api.ADMIN_TOKEN, Long.toString(newest))) {
            await().atMost(BOUND).until(() -> sse.status() != 0 || sse.ended());
            assertThat(sse.status()).isEqualTo(200);
        }
    }
}
