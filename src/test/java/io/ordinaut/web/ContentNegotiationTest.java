package io.ordinaut.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ordinaut.support.Api;
import io.ordinaut.support.NodeTestSupport;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Accept header: a request that admits no JSON is refused with 406 before its route runs — nothing
 * created, paused or changed — and every error answers in the error JSON whatever the Accept header says.
 */
class ContentNegotiationTest extends NodeTestSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String TASK = """
            {"title": "accept", "schedule_kind": "cron", "schedule_expr": "0 9 * * *",
             "payload": {"pipeline": [{"id": "a", "uses": "noop.run"}]}}""";

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "text/html", "application/xml", "application/json;q=0", "text/*"})
    void aCreateThatCannotBeAnsweredInJsonCreatesNothing(String accept) throws Exception {
        long tasks = count("task");
        HttpResponse<String> response = send("POST", "/tasks", TASK, accept);
        assertError(response, 406, "NotAcceptable");
        assertThat(response.body()).contains("nothing was done");
        assertThat(count("task")).isEqualTo(tasks);
    }

    @Test
    void aPauseThatCannotBeAnsweredInJsonPausesNothing() throws Exception {
        String id = api.post("/tasks", JSON.readValue(TASK, Map.class)).expect(201).string("id");
        assertError(send("POST", "/tasks/" + id + "/pause", null, "text/plain"), 406, "NotAcceptable");
        assertError(send("DELETE", "/tasks/" + id, null, "text/plain"), 406, "NotAcceptable");
        assertThat(api.get("/tasks/" + id).expect(200).string("status")).isEqualTo("active");
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "*/*", "application/*", "text/html,application/xhtml+xml,*/*;q=0.8",
            "text/plain, application/json;q=0.5"})
    void anAcceptThatAdmitsJsonIsServed(String accept) throws Exception {
        HttpResponse<String> response = send("POST", "/tasks", TASK, accept);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    }

    @Test
    void aMalformedAcceptIsRefusedInJson() throws Exception {
        assertError(send("POST", "/tasks", TASK, "no slash here"), 406, "NotAcceptable");
    }

    /** These used to be a 500 with an empty body (the 404's JSON could not be written) and the Whitelabel HTML page. */
    @Test
    void errorsAreJsonWhateverTheAcceptHeader() throws Exception {
        assertError(send("GET", "/nope", null, "text/html"), 404, "NotFound");
        assertError(send("GET", "/nope", null, "text/plain"), 404, "NotFound");
        HttpRequest anonymous = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tasks"))
                .header("Accept", "text/plain").timeout(Duration.ofSeconds(30)).GET().build();
        assertError(HTTP.send(anonymous, HttpResponse.BodyHandlers.ofString()), 401, "Unauthorized");
        assertError(send("GET", "/tasks/" + UUID.randomUUID(), null, "text/plain"), 406, "NotAcceptable");
    }

    /** The one route that declares what it produces is judged by that, not by JSON. */
    @Test
    void theEventStreamIsServedToThoseWhoAcceptEvents() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events/stream"))
                .header("Authorization", "Bearer " + Api.ADMIN_TOKEN).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(30)).GET().build();
        HttpResponse<InputStream> stream = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = stream.body()) {
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        }
    }

    @Test
    void aBodyWithoutContentTypeIsToldWhatToSend() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tasks"))
                .header("Authorization", "Bearer " + Api.ADMIN_TOKEN)
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(TASK)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertError(response, 415, "UnsupportedMediaType");
        assertThat(response.body()).contains("no Content-Type").doesNotContain("null");
    }

    @SuppressWarnings("unchecked")
    private static void assertError(HttpResponse<String> response, int status, String error) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        Map<String, Object> body = JSON.readValue(response.body(), Map.class);
        assertThat(body).containsEntry("error", error).containsKeys("message", "details", "request_id", "timestamp");
    }

    private HttpResponse<String> send(String method, String path, String body, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + Api.ADMIN_TOKEN)
                .header("Accept", accept)
                .timeout(Duration.ofSeconds(30));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private long count(String table) {
        return jdbc.sql("SELECT count(*) FROM " + table).query(Long.class).single();
    }
}
