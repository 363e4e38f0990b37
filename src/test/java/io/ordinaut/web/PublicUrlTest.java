package io.ordinaut.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import io.ordinaut.support.Nodes;

/**
 * The addresses a node advertises — /mcp's protected resource metadata and its 401's {@code resource_metadata},
 * the OpenAPI description's server and Swagger UI's OAuth2 redirect — come from {@code ordinaut.node.public-url}
 * when it is set, never from the request's Host header.
 */
@ExtendWith(OutputCaptureExtension.class)
class PublicUrlTest {

    private static final String PUBLIC = "https://ordinaut.example.com/scheduler";

    private static Nodes nodes;
    private static ConfigurableApplicationContext configured;

    @BeforeAll
    static void start() {
        nodes = Nodes.onFreshDatabase();
        configured = nodes.start("mcp-public", Map.of("ordinaut.node.public-url", PUBLIC + "/"));
    }

    @AfterAll
    static void stop() {
        nodes.close();
    }

    /** A raw HTTP/1.1 exchange: the JDK client will not send a Host header of the caller's choosing. */
    private static String exchange(ConfigurableApplicationContext node, String requestHead) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", Nodes.port(node))) {
            OutputStream out = socket.getOutputStream();
            out.write(requestHead.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void the_public_url_names_the_resource_whatever_host_or_forwarding_the_request_claims() throws Exception {
        String metadata = exchange(configured, "GET /.well-known/oauth-protected-resource HTTP/1.1\r\nHost: evil.example\r\n"
                + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: evil.example\r\nConnection: close\r\n\r\n");

        assertThat(metadata).startsWith("HTTP/1.1 200").contains("\"resource\":\"" + PUBLIC + "/mcp\"").doesNotContain("evil.example");

        String refused = exchange(configured, "POST /mcp HTTP/1.1\r\nHost: evil.example\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\nConnection: close\r\n\r\n{}");

        assertThat(refused).startsWith("HTTP/1.1 401").doesNotContain("evil.example")
                .contains("WWW-Authenticate: Bearer resource_metadata=\"" + PUBLIC + "/.well-known/oauth-protected-resource\"");
    }

    @Test
    void the_public_url_is_the_openapi_server_and_swagger_redirect_whatever_host_the_request_claims() throws Exception {
        String description = exchange(configured, "GET /v3/api-docs HTTP/1.1\r\nHost: evil.example\r\n"
                + "X-Forwarded-Host: evil.example\r\nConnection: close\r\n\r\n");

        assertThat(description).startsWith("HTTP/1.1 200").contains("\"servers\":[{\"url\":\"" + PUBLIC + "\"")
                .doesNotContain("evil.example");

        String swaggerConfig = exchange(configured, "GET /v3/api-docs/swagger-config HTTP/1.1\r\nHost: evil.example\r\n"
                + "Connection: close\r\n\r\n");

        assertThat(swaggerConfig).startsWith("HTTP/1.1 200")
                .contains("\"oauth2RedirectUrl\":\"" + PUBLIC + "/swagger-ui/oauth2-redirect.html\"").doesNotContain("evil.example");
    }

    @Test
    void a_public_url_that_is_no_plain_http_or_https_base_is_refused_at_start_up() {
        for (String bad : new String[] {"ftp://ordinaut.example.com", "https://ordinaut.example.com/?x=1", "ordinaut.example.com",
                "https://user:pw@ordinaut.example.com"}) {
            assertThatThrownBy(() -> nodes.start("mcp-bad-public", Map.of("ordinaut.node.public-url", bad))).as(bad)
                    .hasStackTraceContaining("ordinaut.node.public-url");
        }
    }

    @Test
    void a_refused_public_url_with_credentials_is_reported_without_them(CapturedOutput output) {
        int before = output.getAll().length();

        assertThatThrownBy(() -> nodes.start("mcp-bad-public", Map.of("ORDINAUT_PUBLIC_URL", "https://user:s3cret@ordinaut.example.com")))
                .hasStackTraceContaining("ordinaut.node.public-url is 'https://***@ordinaut.example.com'")
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain("s3cret").doesNotContain("user:"));
        assertThat(output.getAll().substring(before)).contains("https://***@ordinaut.example.com").doesNotContain("s3cret");
    }

    private static String stackTrace(Throwable e) {
        java.io.StringWriter text = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(text));
        return text.toString();
    }
}
