package io.ordinaut.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

class RefreshToolCatalogTest {

    @Test
    void a_refresh_that_throws_an_error_is_counted_and_the_next_tick_still_runs() {
        // given a catalog whose every read throws an Error (a scheduled executor never runs a task again
        // once it has thrown)
        AtomicInteger reads = new AtomicInteger();
        DataSource broken = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        reads.incrementAndGet();
                        throw new BrokenDriverError();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        RefreshToolCatalog refresh = new RefreshToolCatalog(new ToolCatalog(JdbcClient.create(broken)), Duration.ofMillis(10));

        // when it runs for a while
        refresh.start();
        try {
            // then every tick ran and each failure was counted
            await().atMost(Duration.ofSeconds(10)).until(() -> reads.get() >= 3 && refresh.failures() >= 3);
            assertThat(refresh.isRunning()).isTrue();
        } finally {
            refresh.stop();
        }
    }

    private static final class BrokenDriverError extends Error {
        BrokenDriverError() {
            super("simulated: a driver bug");
        }
    }
}
