package io.ordinaut.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.Nodes;
import io.ordinaut.support.PrivatePostgres;

/**
 * While a node's PostgreSQL (a server of this test's own, really stopped) is gone, API calls answer a quick
 * 503 ServiceUnavailable in the error JSON with Retry-After — what nginx's proxy_next_upstream http_503
 * needs to ask another node — after the pool's connection timeout (5 s by default), not Hikari's 30 s and a
 * 500; each is one WARN line, not an ERROR with a stack trace. The node serves again once the server is back.
 */
@Tag("cluster")
@ExtendWith(OutputCaptureExtension.class)
class DatabaseOutageApiTest {

    /** The pool's connection timeout here, lowered from the default 5 s to keep the test short. */
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);
    /**
     * One connection timeout plus a loaded machine's slack, and less than two: a write must not wait a second
     * timeout for its audit row (which cannot be written either); far below Hikari's 30 s of the first bug.
     */
    private static final Duration BOUND = CONNECTION_TIMEOUT.multipliedBy(18).dividedBy(10);

    @Test
    void api_calls_answer_a_bounded_503_while_postgresql_is_down_and_work_again_after(CapturedOutput output) throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.start();
             Nodes nodes = new Nodes(pg.createDatabase("ordinaut_outage_api"))) {
            // given a node on its own PostgreSQL, serving
            ConfigurableApplicationContext node = nodes.start("outage-api",
                    Map.of("spring.datasource.username", "postgres", "spring.datasource.password", "",
                            "ORDINAUT_DB_CONNECTION_TIMEOUT_MS", CONNECTION_TIMEOUT.toMillis()));
            Api api = Nodes.api(node);
            api.get("/tasks").expect(200);

            // when the database stops
            pg.stopServer();

            // then a read, and a write through a transaction (which fails in the transaction manager, a different
            // exception chain), answer 503 within the bound
            for (int i = 0; i < 2; i++) {
                assertServiceUnavailable(api, () -> api.get("/tasks"));
            }
            assertServiceUnavailable(api, () -> api.post("/tasks", task()));
            // and so do the public auth routes, which write audit rows too: no attempt at a row the database cannot take
            Api anonymous = api.as(null);
            assertServiceUnavailable(anonymous, () -> anonymous.post("/agents/auth/revoke", Map.of("token", "ord_at_unknown")));
            assertServiceUnavailable(anonymous, () -> anonymous.post("/agents/auth/token",
                    Map.of("agent_id", "6f1c0a52-3d4e-4b7a-9c2d-1e5f6a7b8c9d", "agent_secret", "whatever")));
            assertThat(output.getAll()).contains("Database unreachable on GET /tasks").contains("Database unreachable on POST /tasks")
                    .contains("Database unreachable on POST /agents/auth/revoke")
                    .doesNotContain("Unhandled error on GET /tasks").doesNotContain("Unhandled error on POST /tasks")
                    .doesNotContain("Could not write the audit row");

            // and once it is back the node serves again without a restart
            pg.startServer();
            Eventually.until("GET /tasks answers 200 again", Duration.ofSeconds(60), () -> api.get("/tasks"),
                    r -> r.status() == 200);
        }
    }

    private static void assertServiceUnavailable(Api api, java.util.function.Supplier<Response> call) {
        long start = System.nanoTime();
        Response r = call.get();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(r.status()).as("%s → %s", r.request(), r.body()).isEqualTo(503);
        assertThat(r.map()).containsOnlyKeys("error", "message", "details", "request_id", "timestamp");
        assertThat(r.get("error")).isEqualTo("ServiceUnavailable");
        assertThat(r.string("message")).contains("database is unreachable");
        assertThat(r.header("Retry-After")).isNotBlank();
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(took).as("%s took %s", r.request(), took).isLessThan(BOUND);
    }

    private static Map<String, Object> task() {
        return Map.of("title", "during the outage", "schedule_kind", "cron", "schedule_expr", "0 3 * * *",
                "payload", Map.of("params", Map.of(), "pipeline", List.of(Map.of("id", "w", "uses", "weather.forecast",
                        "with", Map.of("city", "Chisinau"), "save_as", "w"))));
    }
}
