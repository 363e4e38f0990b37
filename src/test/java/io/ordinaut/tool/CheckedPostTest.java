package io.ordinaut.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.ordinaut.tool.TestHttpServer.Answer;

/** Webhook POSTs go where the egress check looked, and nowhere a later DNS answer points. */
class CheckedPostTest {

    private TestHttpServer server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        server = new TestHttpServer();
        port = URI.create(server.url("/")).getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void the_post_connects_to_the_address_the_check_accepted_whatever_dns_answers_later() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        // first answer: the (allowed) receiver; any later one: the cloud metadata address
        HostResolver rebinding = host -> new InetAddress[] {lookups.getAndIncrement() == 0
                ? InetAddress.getByName("127.0.0.1") : InetAddress.getByName("169.254.169.254")};
        server.on("/hook", Answer.json(204, ""));
        try (ToolRouter router = router(rebinding)) {
            CheckedPost post = router.checkedPost(Duration.ofSeconds(5));

            int status = post.post(URI.create("http://hooks.rebind.test:" + port + "/hook"),
                    Map.of("Ordinaut-Signature", "t=1,v1=abc"), "{\"type\":\"run.succeeded\",\"name\":\"caf\u00e9\"}");

            assertThat(status).isEqualTo(204);
            assertThat(lookups.get()).as("one lookup: the checked answer is the one connected to").isEqualTo(1);
            TestHttpServer.Request received = server.requests("/hook").get(0);
            assertThat(received.header("Host")).isEqualTo("hooks.rebind.test:" + port);
            assertThat(received.header("Content-Type")).isEqualTo("application/json");
            assertThat(received.header("Ordinaut-Signature")).isEqualTo("t=1,v1=abc");
            assertThat(received.body()).isEqualTo("{\"type\":\"run.succeeded\",\"name\":\"caf\u00e9\"}");
        }
    }

    @Test
    void a_refused_address_is_a_permanent_refusal_and_nothing_is_sent() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        HostResolver rebinding = host -> new InetAddress[] {lookups.getAndIncrement() == 0
                ? InetAddress.getByName("169.254.169.254") : InetAddress.getByName("127.0.0.1")};
        server.on("/hook", Answer.json(200, "{}"));
        try (ToolRouter router = router(rebinding)) {
            CheckedPost post = router.checkedPost(Duration.ofSeconds(5));

            ToolCallException e = catchThrowableOfType(ToolCallException.class,
                    () -> post.post(URI.create("http://hooks.rebind.test:" + port + "/hook"), Map.of(), "{}"));

            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).contains("169.254.169.254");
            assertThat(server.requests()).isEmpty();
        }
    }

    @Test
    void a_receiver_slower_than_the_timeout_is_a_timeout_and_redirects_are_answers_not_hops() throws Exception {
        server.on("/slow", Answer.json(200, "{}").delayed(3_000));
        server.on("/moved", Answer.redirect(307, "http://169.254.169.254/latest/meta-data"));
        try (ToolRouter router = router(HostResolver.SYSTEM)) {
            CheckedPost post = router.checkedPost(Duration.ofMillis(500));

            InterruptedIOException timeout = catchThrowableOfType(InterruptedIOException.class,
                    () -> post.post(URI.create(server.url("/slow")), Map.of(), "{}"));
            int redirected = post.post(URI.create(server.url("/moved")), Map.of(), "{}");

            assertThat(timeout).isNotNull();
            assertThat(redirected).isEqualTo(307);
            assertThat(server.requests("/moved")).hasSize(1);
        }
    }

    private static ToolRouter router(HostResolver resolver) {
        return new ToolRouter(address -> Optional.empty(),
                ToolRouter.Settings.defaults().withAllowLoopback(true).withResolver(resolver));
    }
}
