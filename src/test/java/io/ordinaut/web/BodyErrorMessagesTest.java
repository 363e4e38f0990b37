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
}
