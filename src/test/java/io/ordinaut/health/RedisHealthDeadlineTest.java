package io.ordinaut.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.ordinaut.support.Api;
import io.ordinaut.support.Nodes;

/**
 * /health while Redis does not answer: a socket of this test's own accepts connections and never says a
 * word — what a Redis that hangs (or, for the connect, a host that drops packets) looks like to the node.
 * /health still answers within ordinaut.events.redis-health-timeout, with redis unhealthy and why.
 */
class RedisHealthDeadlineTest {

    private static final Duration DEADLINE = Duration.ofMillis(800);
    /**
     * The database check, the token check and the HTTP round trip, on a busy test machine. Without the deadline
     * the answer takes the 10 s connect timeout (or the 3 s command timeout once connected).
     */
    private static final Duration SLACK = Duration.ofMillis(1200);

    private final Nodes nodes = Nodes.onFreshDatabase();
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private ServerSocket silent;

    @AfterEach
    void stop() throws IOException {
        nodes.close();
        silent.close();
        for (Socket s : accepted) {
            s.close();
        }
    }

    /** Accepts every connection and reads nothing, answers nothing. */
    private int silentRedis() throws IOException {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!silent.isClosed()) {
                try {
                    accepted.add(silent.accept());
                } catch (IOException e) {
                    return; // closed by the test
                }
            }
        }, "silent-redis");
        acceptor.setDaemon(true);
        acceptor.start();
        return silent.getLocalPort();
    }

    @Test
    @SuppressWarnings("unchecked")
    void health_answers_within_the_redis_deadline_with_redis_unhealthy_when_redis_never_answers() throws Exception {
        // given a node whose Redis accepts connections but never answers
        int port = silentRedis();
        ConfigurableApplicationContext node = nodes.start("silent-redis", Map.of(
                "ordinaut.events.redis-url", "redis://127.0.0.1:" + port,
                "ordinaut.events.redis-health-timeout", DEADLINE.toMillis() + "ms"));
        Api api = Nodes.api(node);

        // (a first request loads the web, token and database classes, so the timings below are /health's own;
        // /health/ready runs the same database and token checks and never touches Redis)
        api.get("/health/ready").expect(200);

        // when /health is asked several times in a row (the first PING still hangs behind the later ones)
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            Api.Response health = api.get("/health");
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            // then each answer comes within the deadline, degraded, with redis unhealthy and the reason: no answer
            // in time, or (once the hanging connect gives up, after 10 s) the connection error
            assertThat(took).as("/health answer %d", i + 1).isLessThan(DEADLINE.plus(SLACK));
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.get("status")).isEqualTo("degraded");
            Map<String, Object> redis = (Map<String, Object>) ((Map<String, Object>) health.get("checks")).get("redis");
            assertThat(redis).containsEntry("status", "unhealthy");
            if (i == 0) {
                assertThat(redis).containsEntry("error", "no answer within " + DEADLINE.toMillis() + " ms");
            } else {
                assertThat(redis.get("error").toString()).isIn("no answer within " + DEADLINE.toMillis() + " ms",
                        "RedisConnectionException");
            }
        }
        // /health/ready does not depend on Redis at all
        long start = System.nanoTime();
        api.get("/health/ready").expect(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(DEADLINE);
    }
}
