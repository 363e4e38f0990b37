package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.NodeTestSupport;

/**
 * HEAD /events/stream, with the default keep-alive (15 s): it answers at once what a GET would, and holds none of
 * the agent's stream slots. Run as a GET, it answered only at the first keep-alive and kept its slot.
 */
class StreamHeadTest extends NodeTestSupport {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Well under the keep-alive: a HEAD still waiting for one fails the test instead of passing late. */
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(5);

    private String agentToken() {
        String id = api.post("/agents", Map.of("name", "header-" + UUID.randomUUID().toString().substring(0, 8),
                "scopes", List.of("runs:read"))).expect(201).string("id");
        String secret = api.post("/agents/" + id + "/credentials", "{}").expect(200).string("agent_secret");
        return api.as(null).post("/agents/auth/token", Map.of("agent_id", id, "agent_secret", secret)).expect(200)
                .string("access_token");
    }

    private HttpRequest.Builder stream(String token) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events/stream"))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").timeout(CLIENT_TIMEOUT);
    }

    @Test
    void head_answers_at_once_with_the_headers_of_a_get_and_no_body() throws Exception {
        String token = agentToken();
        HttpResponse<InputStream> get = HTTP.send(stream(token).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        String getType;
        try (InputStream body = get.body()) {
            assertThat(get.statusCode()).isEqualTo(200);
            getType = get.headers().firstValue("Content-Type").orElseThrow();
        }

        HttpResponse<String> head = HTTP.send(stream(token).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Type")).hasValue(getType);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void heads_hold_none_of_the_agents_ten_stream_slots() throws Exception {
        String token = agentToken();
        for (int i = 1; i <= 11; i++) {
            HttpResponse<String> head = HTTP.send(stream(token).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(head.statusCode()).as("HEAD %d", i).isEqualTo(200);
        }
        HttpResponse<InputStream> get = HTTP.send(stream(token).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = get.body()) {
            assertThat(get.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void head_is_judged_as_a_get_is() throws Exception {
        HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/events/stream?last_event_id=x")).header("Authorization", "Bearer " + agentToken())
                .timeout(CLIENT_TIMEOUT).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(400);
    }
}
