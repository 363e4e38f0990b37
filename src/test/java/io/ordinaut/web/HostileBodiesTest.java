package io.ordinaut.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.ordinaut.support.Api;
import io.ordinaut.support.NodeTestSupport;
import tools.jackson.databind.json.JsonMapper;

/**
 * Malformed and hostile request bodies: each answers 400 or 413 in the error JSON — never a 500, never
 * a hang — and changes no row.
 */
class HostileBodiesTest extends NodeTestSupport {

    /** The requirement is one second; the margin is for a loaded two-core CI machine. A real hang takes far longer. */
    private static final Duration PROMPT = Duration.ofSeconds(3);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String STEP = "{\"id\":\"a\",\"uses\":\"noop.run\"}";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private String existingTask;

    @BeforeEach
    void task() {
        if (existingTask == null) {
            existingTask = api.post("/tasks", JSON.readValue(task("{\"pipeline\":[" + STEP + "]}"), Map.class)).expect(201).string("id");
        }
    }

    /** A valid task body around the given payload text. */
    static String task(String payload) {
        return "{\"title\":\"hostile\",\"schedule_kind\":\"cron\",\"schedule_expr\":\"0 9 * * *\",\"payload\":" + payload + "}";
    }

    static String withParams(String params) {
        return task("{\"params\":" + params + ",\"pipeline\":[" + STEP + "]}");
    }

    static String withStep(String stepFields) {
        return task("{\"pipeline\":[{\"id\":\"a\",\"uses\":\"noop.run\"," + stepFields + "}]}");
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String quoted(String text) {
        return JSON.writeValueAsString(text);
    }

    static Stream<Arguments> bodies() {
        String deepArrays = "[".repeat(10_000) + "]".repeat(10_000);
        String deepObjects = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
        StringBuilder steps = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            steps.append(i == 0 ? "" : ",").append("{\"id\":\"s").append(i).append("\",\"uses\":\"noop.run\"}");
        }
        String megabyteTemplate = "x${params.a}".repeat(90_000);
        byte[] invalidUtf8 = utf8(withParams("{\"a\":\"__\"}"));
        int at = new String(invalidUtf8, StandardCharsets.UTF_8).indexOf("__");
        invalidUtf8[at] = (byte) 0xC3;
        invalidUtf8[at + 1] = (byte) 0x28;
        byte[] rawNul = utf8(withParams("{\"a\":\"_\"}"));
        rawNul[new String(rawNul, StandardCharsets.UTF_8).indexOf('_')] = 0;
        ByteArrayOutputStream bom = new ByteArrayOutputStream();
        bom.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF});
        bom.writeBytes(utf8(withParams("{}")));
        return Stream.of(
                Arguments.of("arrays nested 10,000 deep", utf8(deepArrays)),
                Arguments.of("params nested 10,000 deep", utf8(withParams(deepObjects))),
                Arguments.of("10,000 steps", utf8(task("{\"pipeline\":[" + steps + "]}"))),
                Arguments.of("a 1 MB template", utf8(withStep("\"with\":{\"text\":" + quoted(megabyteTemplate) + "}"))),
                Arguments.of("a 100,000-character JMESPath condition", utf8(withStep("\"if\":" + quoted("a" + ".a".repeat(49_999))))),
                Arguments.of("a JMESPath condition nested 20,000 parentheses deep",
                        utf8(withStep("\"if\":" + quoted("(".repeat(20_000) + "a" + ")".repeat(20_000))))),
                Arguments.of("a template of 20,000 placeholders", utf8(withStep("\"with\":{\"text\":"
                        + quoted("${params.a}".repeat(20_000)) + "}"))),
                Arguments.of("the number 1e999999 in params", utf8(withParams("{\"a\":1e999999}"))),
                Arguments.of("the number -1e999999 as priority", utf8(task("{\"pipeline\":[" + STEP + "]}").replace("{\"title\"",
                        "{\"priority\":-1e999999,\"title\""))),
                Arguments.of("a 5,000-digit integer", utf8(withParams("{\"a\":" + "9".repeat(5_000) + "}"))),
                Arguments.of("NaN", utf8(withParams("{\"a\":NaN}"))),
                Arguments.of("invalid UTF-8", invalidUtf8),
                Arguments.of("a raw NUL byte in a string", rawNul),
                Arguments.of("an escaped NUL in the title", utf8(task("{\"pipeline\":[" + STEP + "]}").replace("\"hostile\"", "\"a\\u0000b\""))),
                Arguments.of("an escaped NUL in a params key", utf8(withParams("{\"a\\u0000\":1}"))),
                Arguments.of("a lone surrogate", utf8(withParams("{\"a\":\"\\ud800x\"}"))),
                Arguments.of("a duplicate top-level key", utf8(task("{\"pipeline\":[" + STEP + "]}").replace("{\"title\":\"hostile\"",
                        "{\"title\":\"hostile\",\"title\":\"again\""))),
                Arguments.of("a duplicate key inside the payload", utf8(withParams("{\"a\":1,\"a\":2}"))),
                Arguments.of("a 100,000-character key", utf8(withParams("{\"" + "k".repeat(100_000) + "\":1}"))),
                Arguments.of("trailing content after the object", utf8(withParams("{}") + " {\"more\":1}")),
                Arguments.of("a truncated object", utf8(withParams("{}").substring(0, 40))),
                Arguments.of("a top-level array", utf8("[" + withParams("{}") + "]")),
                Arguments.of("1,500 small steps within the payload cap", utf8(task("{\"pipeline\":[" + steps.substring(0, steps.indexOf("{\"id\":\"s1500\"") - 1) + "]}"))),
                Arguments.of("a UTF-16 byte-order mark before UTF-8 text", bom.toByteArray()),
                Arguments.of("a 200,000-character schedule expression", utf8(task("{\"pipeline\":[" + STEP + "]}")
                        .replace("0 9 * * *", "0 ".repeat(100_000)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodies")
    void hostile_bodies_answer_400_or_413_promptly_and_change_nothing(String name, byte[] body) throws Exception {
        long tasks = count("task");
        long runs = count("task_run");
        for (String[] target : List.of(new String[] {"POST", "/tasks"}, new String[] {"PUT", "/tasks/" + existingTask})) {
            long start = System.nanoTime();
            HttpResponse<String> response = send(target[0], target[1], body);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(response.statusCode()).as("%s %s: %s → %s", target[0], name, took, abbreviated(response.body()))
                    .isIn(400, 413);
            assertThat(took).as("%s %s", target[0], name).isLessThan(PROMPT);
            @SuppressWarnings("unchecked")
            Map<String, Object> error = JSON.readValue(response.body(), Map.class);
            assertThat(error).as(name).containsOnlyKeys("error", "message", "details", "request_id", "timestamp");
            assertThat(error.get("error")).isIn("ValidationError", "PayloadTooLarge");
            assertThat(((String) error.get("message")).length()).as("the message stays short").isLessThan(2000);
        }
        assertThat(count("task")).isEqualTo(tasks);
        assertThat(count("task_run")).isEqualTo(runs);
        assertThat(api.get("/tasks/" + existingTask).expect(200).get("title")).isEqualTo("hostile");
    }

    @org.junit.jupiter.api.Test
    void a_payload_over_its_own_cap_answers_413_though_the_body_is_within_the_body_limit() throws Exception {
        long tasks = count("task");
        String over = withParams("{\"blob\":" + quoted("x".repeat(300 * 1024)) + "}");
        for (String[] target : List.of(new String[] {"POST", "/tasks"}, new String[] {"PUT", "/tasks/" + existingTask})) {
            HttpResponse<String> refused = send(target[0], target[1], utf8(over));
            assertThat(refused.statusCode()).as(target[0]).isEqualTo(413);
            @SuppressWarnings("unchecked")
            Map<String, Object> error = JSON.readValue(refused.body(), Map.class);
            assertThat(error.get("error")).isEqualTo("PayloadTooLarge");
            assertThat((Map<String, Object>) error.get("details")).containsEntry("field", "payload").containsEntry("max_bytes", 262144);
        }
        assertThat(count("task")).isEqualTo(tasks);
        String under = withParams("{\"blob\":" + quoted("x".repeat(200 * 1024)) + "}");
        assertThat(send("POST", "/tasks", utf8(under)).statusCode()).isEqualTo(201);
    }

    private HttpResponse<String> send(String method, String path, byte[] body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + Api.ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(Duration.ofSeconds(30))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private long count(String table) {
        return jdbc.sql("SELECT count(*) FROM " + table).query(Long.class).single();
    }

    private static String abbreviated(String body) {
        return body.length() > 300 ? body.substring(0, 300) + "…" : body;
    }
}
