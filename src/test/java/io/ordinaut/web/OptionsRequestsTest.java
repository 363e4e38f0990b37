package io.ordinaut.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

import io.ordinaut.support.Api;
import io.ordinaut.support.NodeTestSupport;
import tools.jackson.databind.json.JsonMapper;

/**
 * OPTIONS runs no route: it answers the list of methods a path takes, which is as public as the OpenAPI
 * description, so it needs no token anywhere. A CORS preflight is refused with the one error JSON — the API
 * enables no cross-origin calls — and never reaches access control, so it can neither 401 nor fail.
 */
@ExtendWith(OutputCaptureExtension.class)
// Many calls come from 127.0.0.1 without a token, on purpose.
@TestPropertySource(properties = "ordinaut.security.unauthenticated-burst=10000")
class OptionsRequestsTest extends NodeTestSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String SOME_ID = "4f1c7a4e-0000-4000-8000-000000000000";
    /** Path → the methods it takes (besides OPTIONS, and HEAD where it takes GET). */
    private static final Map<String, List<String>> ROUTES = Map.of(
            "/health", List.of("GET"),
            "/", List.of("GET"),
            "/agents/auth/revoke", List.of("POST"),
            "/tasks", List.of("GET", "POST"),
            "/tasks/" + SOME_ID, List.of("GET", "PUT", "DELETE"),
            "/tasks/batch", List.of("POST"),
            "/agents", List.of("GET", "POST"),
            "/admin/queue", List.of("GET"));

    private List<String> tokens() {
        // none, a forged one, an agent holding /tasks' scope but not admin, the admin
        List<String> tokens = new ArrayList<>(Arrays.asList(null, "ord_at_forged"));
        tokens.add(api.newAgent(Scopes.TASKS_READ, Scopes.TASKS_CREATE).api().token());
        tokens.add(Api.ADMIN_TOKEN);
        return tokens;
    }

    @Test
    void options_lists_the_methods_of_public_and_protected_routes_to_anyone(CapturedOutput output) throws Exception {
        for (String token : tokens()) {
            for (Map.Entry<String, List<String>> route : ROUTES.entrySet()) {
                HttpResponse<String> r = options(route.getKey(), token, Map.of());
                String what = "OPTIONS " + route.getKey() + " with " + token;
                assertThat(r.statusCode()).as("%s: %s", what, r.body()).isEqualTo(200);
                assertThat(allowed(r)).as(what).containsAll(route.getValue()).contains("OPTIONS");
                assertThat(r.headers().firstValue("X-Request-Id")).as(what).isPresent();
                assertNoCorsHeaders(what, r);
            }
            // MCP takes POST alone; OPTIONS says so without the token the MCP messages need
            HttpResponse<String> mcp = options("/mcp", token, Map.of());
            assertThat(mcp.statusCode()).as("OPTIONS /mcp with %s: %s", token, mcp.body()).isEqualTo(200);
            assertThat(allowed(mcp)).containsExactlyInAnyOrder("POST", "OPTIONS");
        }
        // An Origin alone does not make a preflight: the list of methods, still without CORS headers.
        HttpResponse<String> withOrigin = options("/tasks", null, Map.of("Origin", "http://elsewhere.example"));
        assertThat(withOrigin.statusCode()).isEqualTo(200);
        assertNoCorsHeaders("OPTIONS with an Origin", withOrigin);
        assertThat(options("/no/such/route", null, Map.of()).statusCode()).isEqualTo(404);
        assertThat(output.getAll()).doesNotContain("ERROR").doesNotContain("Request processing failed");
    }

    @Test
    void a_cors_preflight_is_refused_with_403_and_no_cors_headers_whoever_sends_it(CapturedOutput output) throws Exception {
        List<String> paths = new ArrayList<>(new TreeSet<>(ROUTES.keySet()));
        paths.addAll(List.of("/mcp", "/actuator/metrics", "/console/index.html", "/no/such/route"));
        for (String token : tokens()) {
            for (String path : paths) {
                for (String method : List.of("GET", "POST", "DELETE")) {
                    HttpResponse<String> r = options(path, token, Map.of("Origin", "http://elsewhere.example",
                            "Access-Control-Request-Method", method, "Access-Control-Request-Headers", "authorization, content-type"));
                    String what = "preflight " + method + " " + path + " with " + token;
                    assertThat(r.statusCode()).as("%s: %s", what, r.body()).isEqualTo(403);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> error = JSON.readValue(r.body(), Map.class);
                    assertThat(error).as(what).containsOnlyKeys("error", "message", "details", "request_id", "timestamp");
                    assertThat(error.get("error")).isEqualTo("Forbidden");
                    assertThat((String) error.get("message")).as(what).contains("Cross-origin");
                    assertThat(r.headers().firstValue("X-Request-Id")).hasValue((String) error.get("request_id"));
                    assertNoCorsHeaders(what, r);
                }
            }
        }
        assertThat(output.getAll()).doesNotContain("ERROR").doesNotContain("Request processing failed")
                .doesNotContain("ApiException");
    }

    private static void assertNoCorsHeaders(String what, HttpResponse<String> r) {
        assertThat(r.headers().map().keySet()).as(what).noneMatch(name -> name.toLowerCase().startsWith("access-control-"));
    }

    private static List<String> allowed(HttpResponse<String> r) {
        return Arrays.stream(r.headers().firstValue("Allow").orElse("").split(",")).map(String::trim).filter(m -> !m.isEmpty())
                .toList();
    }

    private HttpResponse<String> options(String path, String token, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
