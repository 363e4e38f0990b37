package io.ordinaut.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.ordinaut.support.Api;
import io.ordinaut.support.Api.Response;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.Nodes;
import io.ordinaut.support.PrivatePostgres;

/**
 * /health/ready follows the database: a node whose PostgreSQL (a server of this test's own, really stopped)
 * goes away answers 503 within a few seconds — not after the pool's 30-second connection timeout — and 200
 * again by itself once the server is back, while /health/live answers 200 throughout; /health/live answers 503
 * only while threads of the process are deadlocked.
 */
@Tag("cluster")
class ReadinessTest {

    private static final Duration OUTAGE_PATIENCE = Duration.ofSeconds(90);

    @Test
    void readiness_fails_while_postgresql_is_down_and_recovers_by_itself_while_liveness_stays_up_until_threads_deadlock() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.start();
             Nodes nodes = new Nodes(pg.createDatabase("ordinaut_ready"))) {
            ConfigurableApplicationContext node = nodes.start("ready-a",
                    Map.of("spring.datasource.username", "postgres", "spring.datasource.password", ""));
            Api api = Nodes.api(node);
            Api anonymous = api.as(null);

            Response ready = api.get("/health/ready").expect(200);
            assertThat(ready.get("status")).isEqualTo("ready");
            assertThat(checks(ready)).containsKeys("database", "scheduler", "lifecycle");
            assertThat(checks(ready).get("scheduler")).containsEntry("started", true);
            anonymous.get("/health/live").expect(200);

            pg.stopServer();
            Response down = Eventually.until("/health/ready answers 503", OUTAGE_PATIENCE,
                    () -> api.get("/health/ready"), r -> r.status() == 503);
            assertThat(down.get("status")).isEqualTo("not_ready");
            assertThat(checks(down).get("database")).containsEntry("status", "unhealthy");
            assertThat(checks(down).get("scheduler")).containsEntry("status", "healthy");
            // anonymous callers see the verdict, not the details
            Response anonymousDown = anonymous.get("/health/ready");
            assertThat(anonymousDown.status()).isEqualTo(503);
            assertThat(checks(anonymousDown).get("database")).isEqualTo(Map.of("status", "unhealthy"));
            // bounded by the probe's deadline, not the pool's connection timeout, with a token too (which
            // cannot be checked without the database: the answer then has no details)
            long start = System.nanoTime();
            assertThat(checks(api.get("/health/ready")).get("database")).isEqualTo(Map.of("status", "unhealthy"));
            assertThat(api.get("/health").status()).isEqualTo(503);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(anonymous.get("/health/live").expect(200).get("status")).isEqualTo("alive");
            // actuator's open probes judge as these do: an outage makes the node unready, never dead
            assertThat(anonymous.get("/actuator/health/liveness").expect(200).get("status")).isEqualTo("UP");
            assertThat(anonymous.get("/actuator/health/readiness").status()).isEqualTo(503);
            // the admin-only endpoints answer the API's 503 (checking the token needs the database), not a 500
            Response scrape = api.get("/actuator/prometheus");
            assertThat(scrape.status()).as(scrape.body()).isEqualTo(503);
            assertThat(scrape.get("error")).isEqualTo("ServiceUnavailable");
            assertThat(scrape.header("Retry-After")).isEqualTo("5");

            pg.startServer();
            Response back = Eventually.until("/health/ready answers 200 again", OUTAGE_PATIENCE,
                    () -> api.get("/health/ready"), r -> r.status() == 200);
            assertThat(back.get("status")).isEqualTo("ready");
            anonymous.get("/health/live").expect(200);
            // the node works again without a restart
            api.get("/tasks").expect(200);
            assertThat(anonymous.get("/actuator/health/readiness").expect(200).get("status")).isEqualTo("UP");
            api.get("/actuator/prometheus").expect(200);

            // wedged: two threads of the process deadlocked (interruptible locks, so the test can undo it)
            ReentrantLock first = new ReentrantLock();
            ReentrantLock second = new ReentrantLock();
            CountDownLatch bothHold = new CountDownLatch(2);
            Thread a = deadlocker(first, second, bothHold);
            Thread b = deadlocker(second, first, bothHold);
            try {
                Response wedged = Eventually.until("/health/live answers 503", () -> anonymous.get("/health/live"),
                        r -> r.status() == 503);
                assertThat(wedged.get("status")).isEqualTo("wedged");
                assertThat(wedged.get("deadlocked_threads")).isEqualTo(2);
                assertThat(anonymous.get("/actuator/health/liveness").status()).isEqualTo(503);
            } finally {
                a.interrupt();
                b.interrupt();
                a.join(10_000);
                b.join(10_000);
            }
            assertThat(anonymous.get("/health/live").expect(200).get("status")).isEqualTo("alive");
        }
    }

    private static Thread deadlocker(ReentrantLock mine, ReentrantLock theirs, CountDownLatch bothHold) {
        Thread t = new Thread(() -> {
            try {
                mine.lockInterruptibly();
                try {
                    bothHold.countDown();
                    bothHold.await();
                    theirs.lockInterruptibly();
                    theirs.unlock();
                } finally {
                    mine.unlock();
                }
            } catch (InterruptedException e) {
                // released by the test
            }
        }, "test-deadlock");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> checks(Response r) {
        return (Map<String, Map<String, Object>>) r.get("checks");
    }
}
