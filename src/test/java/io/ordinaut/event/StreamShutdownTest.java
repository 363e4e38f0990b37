package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.ordinaut.support.Api;
import io.ordinaut.support.Nodes;

/** A stopping node ends its SSE connections instead of holding graceful shutdown open for them. */
class StreamShutdownTest {

    private final Nodes nodes = Nodes.onFreshDatabase();

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void stopping_a_node_ends_its_event_streams_promptly() throws Exception {
        ConfigurableApplicationContext node = nodes.start("sse-stop");
        try (SseClient sse = new SseClient(Nodes.port(node), Api.ADMIN_TOKEN, null)) {
            Thread.sleep(500);
            Nodes.api(node).post("/events", java.util.Map.of("topic", "shutdown.t", "payload", java.util.Map.of())).expect(202);
            sse.until("event", Duration.ofSeconds(15));
            long started = System.nanoTime();
            nodes.stop(node);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            // graceful shutdown waits up to 30 s for open requests; an open stream would hold it that long
            assertThat(took).isLessThan(Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(5)).until(sse::ended);
        }
    }
}
