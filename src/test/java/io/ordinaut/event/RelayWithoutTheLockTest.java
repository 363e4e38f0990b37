package io.ordinaut.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.ordinaut.support.NodeTestSupport;

/**
 * A node that cannot reach Redis while another node relays: the rounds it cannot take the relay lock for
 * say nothing of its Redis, so it must not report (and log) the relay working again each time.
 */
class RelayWithoutTheLockTest extends NodeTestSupport {

    @Autowired
    private DataSource dataSource;

    @DynamicPropertySource
    static void unreachableRedis(DynamicPropertyRegistry registry) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        int closed = port;
        registry.add("ordinaut.events.redis-url", () -> "redis://127.0.0.1:" + closed + "/0");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> outboxHealth() {
        return (Map<String, Object>) ((Map<String, Object>) api.get("/health").get("checks")).get("outbox");
    }

    @Test
    void rounds_without_the_relay_lock_do_not_count_as_the_relay_working_again() throws Exception {
        api.post("/tasks", Map.of("title", "something to relay", "schedule_kind", "cron", "schedule_expr", "0 9 * * *",
                "payload", Map.of("pipeline", List.of()))).expect(201);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(outboxHealth()).containsKey("error"));

        // another node relays: it holds the lock whenever this node tries
        try (Connection other = dataSource.getConnection(); Statement st = other.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + RelayOutbox.LOCK + ")");
            long until = System.nanoTime() + RelayOutbox.MAX_BACKOFF.plusSeconds(3).toNanos();
            while (System.nanoTime() < until) {
                assertThat(outboxHealth()).as("this node still cannot reach Redis").containsKey("error")
                        .containsEntry("status", "degraded");
                Thread.sleep(200);
            }
            st.execute("SELECT pg_advisory_unlock(" + RelayOutbox.LOCK + ")");
        }
    }
}
