package io.ordinaut.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.NodeTestSupport;
import tools.jackson.databind.json.JsonMapper;

/**
 * The error JSON is the same whoever answers: a controller, a filter, Spring MVC's dispatch, Tomcat's error
 * path. Each carries the request id in its body and its X-Request-Id header, as UTF-8 JSON, and names a
 * field the same way whichever check refused it.
 */
// Many calls come from 127.0.0.1 without a token, on purpose.
@TestPropertySource(properties = {"ordinaut.security.unauthenticated-burst=10000", "ordinaut.security.max-body-bytes=4096"})
class ErrorConsistencyTest extends NodeTestSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> FIELDS = List.of("error", "message", "details", "request_id", "timestamp");
    private static final String TASK = "{\"title\":\"t\",\"schedule_kind\":\"cron\",\"schedule_expr\":\"0 9 * * *\","
            + "\"payload\":{\"pipeline\":[{\"id\":\"a\",\"uses\":\"noop.run\"}]}";

    @Test
    void a_refused_field_is_named_by_its_plain_path_whichever_check_refused_it() {
        Map<String, String> bodies = Map.of(
                "title", TASK.replace("\"title\":\"t\"", "\"title\":\"x\\u0000y\"") + "}",
                "priority", TASK + ",\"priority\":1e999}",
                "payload.params.city", TASK.replace("\"payload\":{", "\"payload\":{\"params\":{\"city\":\"a\\u0000\"},") + "}");
        for (Map.Entry<String, String> e : bodies.entrySet()) {
            Response r = api.post("/tasks", e.getValue());
            assertThat(r.status()).as(e.getValue()).isEqualTo(400);
            assertThat(r.details()).as(e.getValue()).containsEntry("field", e.getKey());
        }
        // the same field refused by the ordinary range check
        assertThat(api.post("/tasks", TASK + ",\"priority\":10}").expect(400).details()).containsEntry("field", "priority");
    }

    @Test
    void responses_tomcat_or_the_error_path_answer_carry_the_request_id_as_utf8_json() throws IOException {
        for (String request : List.of(
                "TRACE /tasks HTTP/1.1", "TRACE /nowhere HTTP/1.1", "TRACE /console/index.html HTTP/1.1",
                "DELETE /tasks HTTP/1.1", "PATCH /tasks HTTP/1.1", "GET /nowhere HTTP/1.1", "GET /tasks/%ff HTTP/1.1",
                "GET /console/..%2ftasks HTTP/1.1", "GET /console/../../tasks HTTP/1.1", "GET /error HTTP/1.1")) {
            for (String auth : List.of("", "Authorization: Bearer " + Api.ADMIN_TOKEN + "\r\n")) {
                Raw r = raw(request + "\r\nHost: localhost\r\n" + auth + "Connection: close\r\n\r\n");
                assertThat(r.status).as("%s → %s", request, r.text).isBetween(400, 405);
                assertJsonError(request, r);
            }
        }
        // the caller's sane X-Request-Id is kept, there too
        Raw traced = raw("TRACE /tasks HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: trace-me-42\r\nConnection: close\r\n\r\n");
        assertThat(traced.status).isEqualTo(405);
        assertThat(traced.header("x-request-id")).isEqualTo("trace-me-42");
        assertThat(JSON.readValue(traced.body(), Map.class)).containsEntry("request_id", "trace-me-42")
                .containsEntry("error", "MethodNotAllowed");
    }

    @Test
    void a_body_over_the_limit_and_options_carry_the_request_id_too() throws IOException {
        String big = "{\"title\":\"" + "x".repeat(5000) + "\"}";
        Raw tooLarge = raw("POST /tasks HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + Api.ADMIN_TOKEN
                + "\r\nContent-Type: application/json\r\nContent-Length: " + big.length() + "\r\nConnection: close\r\n\r\n" + big);
        assertThat(tooLarge.status).isEqualTo(413);
        assertJsonError("413", tooLarge);
        // the same answer when the limit is found while a chunked body is read
        Raw chunked = raw("POST /tasks HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + Api.ADMIN_TOKEN
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + Integer.toHexString(big.length()) + "\r\n" + big + "\r\n0\r\n\r\n");
        assertThat(chunked.status).as(chunked.text).isEqualTo(413);
        for (Raw refused : List.of(tooLarge, chunked)) {
            assertThat(JSON.readValue(refused.body(), Map.class)).as(refused.text).containsEntry("error", "PayloadTooLarge")
                    .containsEntry("message", "Request body exceeds the limit of 4096 bytes")
                    .containsEntry("details", Map.of("max_bytes", 4096));
        }
        Raw options = raw("OPTIONS /tasks HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertThat(options.status).as(options.text).isLessThan(500);
        assertThat(options.header("x-request-id")).isNotBlank();
    }

    @Test
    void a_traversal_in_a_console_url_never_serves_a_file_outside_the_console() throws IOException {
        for (String path : List.of("/console/..%2ftasks", "/console/..%2f..%2fapplication.yaml", "/console/%2e%2e/application.yaml",
                "/console/lib/..%2f..%2f..%2fapplication.yaml")) {
            Response r = api.get(path);
            assertThat(r.status()).as("%s → %s", path, r.body()).isEqualTo(404);
            assertThat(r.get("error")).isEqualTo("NotFound");
            assertThat(r.body()).doesNotContain("spring:").doesNotContain("\"items\"");
        }
        // A backslash, encoded or not, is refused by Tomcat before anything runs, as a path climbing above the root is.
        assertThat(api.get("/console/..%5capplication.yaml").status()).isEqualTo(400);
        Raw above = raw("GET /console/../../application.yaml HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertThat(above.status).isEqualTo(400);
        assertThat(JSON.readValue(above.body(), Map.class)).containsEntry("error", "ValidationError");
        // Dot segments that stay inside the root name no route and no file either: routes see the path as sent.
        for (String auth : List.of("", "Authorization: Bearer " + Api.ADMIN_TOKEN + "\r\n")) {
            Raw inside = raw("GET /console/../tasks HTTP/1.1\r\nHost: localhost\r\n" + auth + "Connection: close\r\n\r\n");
            assertThat(inside.status).as(inside.text).isEqualTo(404);
            assertThat(JSON.readValue(inside.body(), Map.class)).containsEntry("error", "NotFound").doesNotContainKey("items");
        }
        assertThat(api.get("/console/index.html").status()).isEqualTo(200);
    }

    @Test
    void the_literal_segment_of_a_post_only_route_answers_405_for_other_methods() {
        for (String path : List.of("/tasks/batch", "/tools/discover", "/admin/triggers/repair")) {
            for (String method : List.of("GET", "PUT", "DELETE")) {
                Response r = api.method(method, path);
                assertThat(r.status()).as("%s %s → %s", method, path, r.body()).isEqualTo(405);
                assertThat(r.header("Allow")).as(path).isEqualTo("POST");
                assertThat(r.get("error")).isEqualTo("MethodNotAllowed");
            }
        }
        // OPTIONS lists what the literal path takes, not the methods of the pattern it would otherwise match
        for (String path : List.of("/tasks/batch", "/tools/discover", "/admin/triggers/repair")) {
            Response options = api.method("OPTIONS", path);
            assertThat(options.status()).as(path).isEqualTo(200);
            assertThat(options.header("Allow")).as(path).isEqualTo("POST,OPTIONS");
        }
        assertThat(api.method("OPTIONS", "/tasks/4f1c7a4e-0000-4000-8000-000000000000").header("Allow"))
                .contains("GET").contains("PUT").contains("DELETE");
        // real ids still reach their routes
        assertThat(api.get("/tasks/4f1c7a4e-0000-4000-8000-000000000000").status()).isEqualTo(404);
        assertThat(api.get("/tools/nobody.here").status()).isEqualTo(404);
    }

    @Test
    void a_batch_whose_tasks_is_not_an_array_is_told_the_type_expected() {
        for (String tasks : List.of("{}", "\"x\"", "3", "null")) {
            Response r = api.post("/tasks/batch", "{\"tasks\":" + tasks + "}").expect(400);
            assertThat(r.details()).containsEntry("field", "tasks");
            assertThat(r.string("message")).as(tasks).contains("must be an array").doesNotContain("is required");
        }
        assertThat(api.post("/tasks/batch", "{}").expect(400).string("message")).contains("tasks is required");
    }

    private static void assertJsonError(String what, Raw r) {
        assertThat(r.header("content-type")).as(what).isNotNull();
        // JSON is UTF-8 (RFC 8259); a charset, when named, must say so
        assertThat(r.header("content-type").toLowerCase(Locale.ROOT).replace(" ", "")).as(what)
                .isIn("application/json", "application/json;charset=utf-8");
        @SuppressWarnings("unchecked")
        Map<String, Object> body = JSON.readValue(r.body(), Map.class);
        assertThat(body).as(what).containsOnlyKeys(FIELDS);
        assertThat((String) body.get("request_id")).as(what).isNotBlank();
        assertThat(r.header("x-request-id")).as(what).isEqualTo(body.get("request_id"));
    }

    private record Raw(int status, String text) {
        String header(String name) {
            for (String line : text.substring(0, text.indexOf("\r\n\r\n")).split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }

        String body() {
            String body = text.substring(text.indexOf("\r\n\r\n") + 4);
            if ("chunked".equalsIgnoreCase(header("transfer-encoding"))) {
                StringBuilder out = new StringBuilder();
                int at = 0;
                while (true) {
                    int eol = body.indexOf("\r\n", at);
                    int size = Integer.parseInt(body.substring(at, eol).trim(), 16);
                    if (size == 0) {
                        break;
                    }
                    out.append(body, eol + 2, eol + 2 + size);
                    at = eol + 2 + size + 2;
                }
                return out.toString();
            }
            return body;
        }
    }

    /** A request written byte for byte (no client normalises its path or refuses its method), read to the end. */
    private Raw raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            return new Raw(Integer.parseInt(text.substring(9, 12)), text);
        }
    }
}
