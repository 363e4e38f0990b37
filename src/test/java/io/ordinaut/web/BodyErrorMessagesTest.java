package io.ordinaut.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;
import tools.jackson.databind.json.JsonMapper;

/**
 * A body refused before it is read is told which rule it broke — the charset it named, the JSON rule and
 * where — in the caller's terms: no parser class, feature or constraint names, no stack trace.
 */
class BodyErrorMessagesTest extends NodeTestSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String TASK = "{\"title\":\"t\",\"schedule_kind\":\"cron\",\"schedule_expr\":\"0 9 * * *\","
            + "\"payload\":{\"pipeline\":[{\"id\":\"a\",\"uses\":\"noop.run\"}]}}";
    /** What no message may show: the parser's own words for its classes, features and input source. */
    private static final List<String> INTERNALS = List.of("Exception", "jackson", "Feature", "Constraints", "`", "REDACTED", "Source",
            "code 1", "JsonToken", "java.");

    @Test
    void a_content_type_naming_an_unknown_charset_is_told_that_charset_is_not_supported() throws Exception {
        String task = api.post("/tasks", TASK).expect(201).string("id");
        for (String path : List.of("/tasks", "/tasks/" + task + "/pause")) {
            Response r = api.postRaw(path, path.equals("/tasks") ? TASK : "{}", "application/json; charset=bogus");
            assertThat(r.status()).as("%s → %s", path, r.body()).isEqualTo(415);
            assertThat(r.get("error")).isEqualTo("UnsupportedMediaType");
            assertThat(r.string("message")).as(path).contains("charset \"bogus\"").contains("not supported").contains("UTF-8")
                    .doesNotContain("no Content-Type");
        }
        Response malformed = api.postRaw("/tasks", TASK, "application/");
        assertThat(malformed.status()).as(malformed.body()).isEqualTo(415);
        assertThat(malformed.string("message")).contains("malformed").doesNotContain("no Content-Type");
        // the ones that are really missing or wrong keep their messages
        assertThat(api.postRaw("/tasks", TASK, null).expect(415).string("message")).contains("no Content-Type");
        assertThat(api.postRaw("/tasks", TASK, "text/plain").expect(415).string("message")).contains("text/plain is not supported");
        api.postRaw("/tasks", TASK, "application/json; charset=utf-8").expect(201);
        assertThat(api.get("/tasks/" + task).get("status")).isEqualTo("active");
    }

    @Test
    void a_body_that_is_not_json_is_told_which_rule_it_broke_and_where() throws Exception {
        Map<String, String> bodies = new LinkedHashMap<>();
        bodies.put("[".repeat(300) + "]".repeat(300), "nested deeper than 200 levels");
        bodies.put(TASK.replace("{\"title\":\"t\"", "{\"title\":\"t\",\"title\":\"u\""), "duplicate key \"title\" at line 1, column 21");
        bodies.put(TASK.replace("\"noop.run\"}]}}", "\"noop.run\"},]}}"), "trailing comma before ']' at line 1, column 117");
        bodies.put(TASK.replace("\"noop.run\"}]}}", "\"noop.run\"}],}}"), "trailing comma before '}' at line 1, column 118");
        bodies.put("{\n  \"title\": \"t\",\n  oops: 1\n}", "unexpected character 'o' at line 3, column 3: expected a key in double quotes");
        bodies.put("{\"title\" \"t\"}", "unexpected character '\"' at line 1, column 10: expected ':' after a key");
        bodies.put("{\"title\":\"t\" \"priority\":1}", "unexpected character '\"' at line 1, column 14: expected ',' or '}'");
        bodies.put("{\"priority\":NaN}", "NaN is not a JSON number");
        bodies.put("{\"priority\":01}", "a number with a leading zero");
        bodies.put("{\"priority\":" + "1".repeat(150) + "}", "a number longer than 100 characters");
        bodies.put("{\"" + "k".repeat(1200) + "\":1}", "a key longer than 1000 characters");
        bodies.put("{\"title\":\"a\nb\"}", "an unescaped control character U+000A in a string at line 1, column 12");
        bodies.put("{\"title\":\"t\"", "the body ends before its JSON does");
        bodies.put("{\"title\":\"t\"}}", "unexpected '}' at line 1, column 14: nothing is open to close");
        bodies.put("{\"title\":\"t\"} {\"more\":1}", "content after the JSON value at line 1, column 15");
        bodies.put("{\"title\":undefined}", "unrecognized token 'undefined' at line 1, column 10");
        SoftAssertions softly = new SoftAssertions();
        for (Map.Entry<String, String> body : bodies.entrySet()) {
            Response r = api.post("/tasks", body.getKey());
            String what = body.getKey().length() > 60 ? body.getKey().substring(0, 60) + "…" : body.getKey();
            softly.assertThat(r.status()).as("%s → %s", what, r.body()).isEqualTo(400);
            softly.assertThat(r.get("error")).isEqualTo("ValidationError");
            softly.assertThat(r.details()).as(what).containsEntry("field", "body");
            softly.assertThat(r.string("message")).as(what).startsWith("Request body is not valid JSON: ").contains(body.getValue())
                    .doesNotContain(INTERNALS);
        }
        softly.assertAll();
        Response located = api.post("/tasks", "{\n  \"title\": \"t\",\n  oops: 1\n}");
        assertThat(located.details()).containsEntry("line", 3).containsEntry("column", 3);
    }

    @Test
    void bytes_that_are_not_utf8_and_an_action_body_are_described_the_same_way() throws Exception {
        byte[] latin1 = "{\"title\":\"caf\u00e9\"}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        HttpResponse<String> notUtf8 = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tasks"))
                .header("Authorization", "Bearer " + Api.ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(latin1)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notUtf8.statusCode()).isEqualTo(400);
        @SuppressWarnings("unchecked")
        Map<String, Object> error = JSON.readValue(notUtf8.body(), Map.class);
        assertThat((String) error.get("message")).contains("not UTF-8").doesNotContain(INTERNALS);

        String task = api.post("/tasks", TASK).expect(201).string("id");
        Response action = api.post("/tasks/" + task + "/pause", "{\"a\":1,}");
        assertThat(action.status()).isEqualTo(400);
        assertThat(action.string("message")).isEqualTo("Request body is not valid JSON: trailing comma before '}' at line 1, column 8");
        assertThat(action.details()).containsEntry("field", "body").containsEntry("line", 1).containsEntry("column", 8);
        assertThat(api.get("/tasks/" + task).get("status")).isEqualTo("active");
    }

    @Test
    void overlong_forms_and_encoded_surrogates_are_refused_as_not_utf8_never_stored_as_question_marks() {
        // C0 BF is '?' written in two bytes; ED A0 80 a UTF-16 surrogate written as UTF-8: the JSON parser took both
        for (byte[] bad : List.of(new byte[] {(byte) 0xC0, (byte) 0xBF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})) {
            byte[] body;
            byte[] head = "{\"topic\":\"a.b\",\"payload\":{\"v\":\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] tail = "\"}}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            body = new byte[head.length + bad.length + tail.length];
            System.arraycopy(head, 0, body, 0, head.length);
            System.arraycopy(bad, 0, body, head.length, bad.length);
            System.arraycopy(tail, 0, body, head.length + bad.length, tail.length);
            Response refused = api.postBytes("/events", body, "application/json");
            assertThat(refused.status()).isEqualTo(400);
            // the column just after the first bad byte, where the parser places what it refuses
            assertThat(refused.string("message")).isEqualTo("Request body is not valid JSON: bytes that are not UTF-8 at line 1, column "
                    + (head.length + 2));
            assertThat(refused.details()).containsEntry("field", "body").containsEntry("line", 1).containsEntry("column", head.length + 2);
        }
        assertThat(api.get("/events?topic=a.b").expect(200).items()).as("nothing stored").isEmpty();
        // UTF-16 and UTF-32 with no charset declared are the parser's to detect, as before the UTF-8 check
        for (java.nio.charset.Charset charset : List.of(java.nio.charset.StandardCharsets.UTF_16LE, java.nio.charset.StandardCharsets.UTF_16BE)) {
            api.postBytes("/events", "{\"topic\":\"a.utf16\",\"payload\":{\"c\":\"caf\u00e9\"}}".getBytes(charset),
                    "application/json").expect(202);
        }
        assertThat(api.get("/events?topic=a.utf16").expect(200).items()).extracting(e -> e.get("payload"))
                .containsOnly(Map.of("c", "caf\u00e9"));
    }

    /**
     * Every route that takes a body asks for the token first, whatever the body's Content-Type: a caller
     * without one gets its 401 (which costs its address a unit), never a 415; with one, the 415 and its message.
     */
    @Test
    void a_route_that_takes_a_body_asks_for_the_token_before_it_judges_the_content_type() {
        String task = api.post("/tasks", TASK).expect(201).string("id");
        String agent = api.post("/agents", Map.of("name", "ct-" + UUID.randomUUID().toString().substring(0, 8),
                "scopes", List.of(Scopes.TASKS_READ))).expect(201).string("id");
        List<List<String>> routes = List.of(List.of("POST", "/tasks"), List.of("POST", "/tasks/batch"), List.of("PUT", "/tasks/" + task),
                List.of("POST", "/tasks/" + task + "/snooze"), List.of("POST", "/schedules/preview"), List.of("POST", "/events"),
                List.of("POST", "/agents"), List.of("PUT", "/agents/" + agent), List.of("POST", "/tools"), List.of("PUT", "/tools/weather.get"),
                List.of("POST", "/tools/discover"), List.of("POST", "/agents/" + agent + "/webhook_secret"));
        Api anonymous = api.as(null);
        SoftAssertions softly = new SoftAssertions();
        for (List<String> route : routes) {
            String method = route.get(0);
            String path = route.get(1);
            Response refused = anonymous.sendRaw(method, path, "x", "text/plain");
            softly.assertThat(refused.status()).as("%s %s without a token → %s", method, path, refused.body()).isEqualTo(401);
            softly.assertThat(refused.get("error")).as("%s %s", method, path).isEqualTo("Unauthorized");
            Response judged = api.sendRaw(method, path, "x", "text/plain");
            softly.assertThat(judged.status()).as("%s %s with a token → %s", method, path, judged.body()).isEqualTo(415);
            softly.assertThat(judged.get("error")).as("%s %s", method, path).isEqualTo("UnsupportedMediaType");
            softly.assertThat(judged.string("message")).as("%s %s", method, path)
                    .isEqualTo("Content-Type text/plain is not supported; send application/json");
        }
        // curl -d sends a form; a body without any Content-Type
        for (List<String> route : List.of(List.of("POST", "/tasks/batch"), List.of("PUT", "/tasks/" + task))) {
            softly.assertThat(anonymous.sendRaw(route.get(0), route.get(1), "x", "application/x-www-form-urlencoded").status())
                    .as("%s form without a token", route).isEqualTo(401);
            softly.assertThat(api.sendRaw(route.get(0), route.get(1), "x", "application/x-www-form-urlencoded").status())
                    .as("%s form", route).isEqualTo(415);
        }
        softly.assertThat(anonymous.postRaw("/tasks", TASK, null).status()).isEqualTo(401);
        softly.assertThat(api.postRaw("/tasks/batch", "x", null).string("message"))
                .isEqualTo("The request has no Content-Type; send its JSON body as application/json");
        // the public token routes have no token to ask for: their 415 as before
        softly.assertThat(anonymous.postRaw("/agents/auth/token", "x", "text/plain").status()).isEqualTo(415);
        softly.assertAll();
        assertThat(api.get("/tasks/" + task).get("status")).isEqualTo("active");
    }
}
