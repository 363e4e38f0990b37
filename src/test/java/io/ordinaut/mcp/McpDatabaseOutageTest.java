package io.ordinaut.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import io.ordinaut.support.Nodes;
import io.ordinaut.support.PrivatePostgres;
import tools.jackson.databind.json.JsonMapper;

/**
 * While a node's PostgreSQL (a server of this test's own, really stopped) is gone, POST /mcp answers as the REST
 * routes do: 503 ServiceUnavailable in the error JSON with Retry-After, one WARN line, no stack trace.
 */
@Tag("cluster")
@ExtendWith(OutputCaptureExtension.class)
class McpDatabaseOutageTest {

    private static final String INITIALIZE = """
            {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18",
             "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}""";

    @Test
    void mcp_answers_a_503_with_retry_after_while_postgresql_is_down(CapturedOutput output) throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.start();
             Nodes nodes = new Nodes(pg.createDatabase("ordinaut_outage_mcp"))) {
            // given a node on its own PostgreSQL, serving /mcp
            ConfigurableApplicationContext node = nodes.start("outage-mcp",
                    Map.of("spring.datasource.username", "postgres", "spring.datasource.password", ""));
            int port = Nodes.port(node);
            assertThat(post(port, Nodes.api(node).token()).statusCode()).isEqualTo(200);

            // when the database stops
            pg.stopServer();

            // then a token that has to be looked up is answered 503 with Retry-After, as on the REST routes
            HttpResponse<String> r = post(port, "bogus-token-0123456789");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            @SuppressWarnings("unchecked")
            Map<String, Object> body = JsonMapper.shared().readValue(r.body(), Map.class);
            assertThat(body).containsEntry("error", "ServiceUnavailable");
            assertThat((String) body.get("message")).contains("database is unreachable");
            assertThat(output.getAll()).contains("Database unreachable on POST /mcp")
                    .doesNotContain("threw exception").doesNotContain("Unhandled error on POST /mcp");

            // and once it is back /mcp serves again (and the node can be shut down cleanly)
            pg.startServer();
            io.ordinaut.support.Eventually.until("POST /mcp answers 200 again", Duration.ofSeconds(60),
                    () -> post(port, Nodes.api(node).token()), response -> response.statusCode() == 200);
        }
    }

    private static HttpResponse<String> post(int port, String token) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(INITIALIZE)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
