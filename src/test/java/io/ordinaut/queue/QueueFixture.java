package io.ordinaut.queue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import liquibase.integration.spring.SpringLiquibase;

import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.support.TestDatabases;
import tools.jackson.databind.json.JsonMapper;

/**
 * A migrated database of its own and executor pools built by hand on it — each with its own connection
 * pool, as separate nodes would have — for tests of the queue that need no web server.
 */
final class QueueFixture implements AutoCloseable {

    static final UUID SYSTEM_AGENT = UUID.fromString("00000000-0000-0000-0000-000000000001");

    final String url = TestDatabases.create();
    final HikariDataSource dataSource = dataSource("fixture", 4);
    final JdbcClient jdbc = JdbcClient.create(dataSource);
    final TestClock clock = new TestClock();
    private final List<ExecutorPool> pools = new ArrayList<>();
    private final List<HikariDataSource> sources = new ArrayList<>();

    QueueFixture() {
        SpringLiquibase liquibase = new SpringLiquibase();
        liquibase.setDataSource(dataSource);
        liquibase.setChangeLog("classpath:db/changelog.yaml");
        liquibase.setResourceLoader(new DefaultResourceLoader());
        try {
            liquibase.afterPropertiesSet();
        } catch (Exception e) {
            throw new IllegalStateException("migration failed", e);
        }
    }

    DueWorkQueue queue(RunProperties runs) {
        return new DueWorkQueue(jdbc, clock, runs);
    }

    DueWorkQueue queue() {
        return queue(RunProperties.defaults());
    }

    /** A started pool on a connection pool of its own. */
    ExecutorPool node(String id, RunHandler handler, ExecutorProperties executor, RunProperties runs, DoubleSupplier jitter) {
        HikariDataSource source = dataSource(id, 4);
        sources.add(source);
        ExecutorPool pool = new ExecutorPool(source, handler, clock, JsonMapper.shared(), id, true, executor, runs, jitter);
        pools.add(pool);
        pool.start();
        return pool;
    }

    /**
     * A started pool with a clock of its own (a node whose clock is off) on a DataSource the test
     * provides (through a proxy, or with injected faults).
     */
    ExecutorPool node(String id, DataSource source, Clock nodeClock, RunHandler handler, ExecutorProperties executor,
                      RunProperties runs) {
        ExecutorPool pool = new ExecutorPool(source, handler, nodeClock, JsonMapper.shared(), id, true, executor, runs, () -> 0.5);
        pools.add(pool);
        pool.start();
        return pool;
    }

    /** A connection pool on {@code jdbcUrl} that gives up on an unreachable server after a second. */
    HikariDataSource pooled(String name, String jdbcUrl) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(TestDatabases.user());
        config.setPassword(TestDatabases.password());
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(1000);
        config.setValidationTimeout(500);
        config.setPoolName("test-" + name);
        HikariDataSource source = new HikariDataSource(config);
        sources.add(source);
        return source;
    }

    ExecutorPool node(String id, RunHandler handler, ExecutorProperties executor) {
        return node(id, handler, executor, RunProperties.defaults(), () -> 0.5);
    }

    static ExecutorProperties executor(int threads, int leaseSeconds, int graceSeconds) {
        return new ExecutorProperties(threads, 100, leaseSeconds, 200, 5, 500, graceSeconds, 1000, null);
    }

    static RunProperties runs(Duration retryBase, Duration retryCap) {
        return new RunProperties(retryBase, retryCap, null, null, null, null, null);
    }

    /** Inserts an event-kind task (no schedule: runs come only from what the test enqueues). */
    UUID task(TaskRow t) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO task (id, title, created_by, schedule_kind, schedule_expr, timezone, payload, status, priority,
                                  max_retries, backoff_strategy, dedupe_key, dedupe_window_seconds, concurrency_key,
                                  concurrency_limit, overlap_policy, run_timeout_seconds, misfire_grace_seconds,
                                  active_since, created_at, updated_at)
                VALUES (:id, :title, :agent, 'event', 'test.topic', 'UTC', CAST(:payload AS jsonb), 'active', :priority,
                        :maxRetries, :backoff, :dedupeKey, :dedupeWindow, :concurrencyKey, :concurrencyLimit, :overlap,
                        :timeout, 3600, now(), now(), now())
                """)
                .param("id", id).param("title", t.title()).param("agent", SYSTEM_AGENT)
                .param("payload", "{\"pipeline\": [{\"id\": \"s\", \"uses\": \"noop.run\"}]}")
                .param("priority", t.priority()).param("maxRetries", t.maxRetries()).param("backoff", t.backoff())
                .param("dedupeKey", t.dedupeKey()).param("dedupeWindow", t.dedupeWindowSeconds())
                .param("concurrencyKey", t.concurrencyKey()).param("concurrencyLimit", t.concurrencyLimit())
                .param("overlap", t.overlapPolicy()).param("timeout", t.runTimeoutSeconds())
                .update();
        return id;
    }

    /** Queues {@code count} runs of one task, due at the fixture clock's now, in one statement. */
    int enqueue(DueWorkQueue queue, UUID taskId, int count) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        List<Instant> occurrences = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            occurrences.add(now.minusNanos(1000L * (count - i)));
        }
        return queue.enqueueTaskOccurrences(taskId, occurrences);
    }

    List<Map<String, Object>> history(UUID taskId) {
        return jdbc.sql("SELECT * FROM task_run WHERE task_id = :id ORDER BY created_at, attempt").param("id", taskId)
                .query().listOfRows();
    }

    Map<String, Object> queueRow(UUID runId) {
        return jdbc.sql("SELECT * FROM due_work WHERE id = :id").param("id", runId).query().listOfRows().stream()
                .findFirst().orElse(null);
    }

    long count(String sql, Object... params) {
        JdbcClient.StatementSpec spec = jdbc.sql(sql);
        for (int i = 0; i < params.length; i++) {
            spec = spec.param(i + 1, params[i]);
        }
        return spec.query(Long.class).single();
    }

    private HikariDataSource dataSource(String name, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(TestDatabases.user());
        config.setPassword(TestDatabases.password());
        config.setMaximumPoolSize(size);
        config.setPoolName("test-" + name);
        return new HikariDataSource(config);
    }

    @Override
    public void close() {
        for (ExecutorPool pool : pools) {
            pool.halt();
        }
        sources.forEach(HikariDataSource::close);
        dataSource.close();
    }

    /** A task row's settings; defaults as the API's. */
    record TaskRow(String title, int priority, int maxRetries, String backoff, String dedupeKey, Integer dedupeWindowSeconds,
                   String concurrencyKey, int concurrencyLimit, String overlapPolicy, Integer runTimeoutSeconds) {

        static TaskRow defaults() {
            return new TaskRow("task", 5, 3, "exponential_jitter", null, null, null, 1, "skip", null);
        }

        TaskRow allowOverlap() {
            return new TaskRow(title, priority, maxRetries, backoff, dedupeKey, dedupeWindowSeconds, concurrencyKey,
                    concurrencyLimit, "allow", runTimeoutSeconds);
        }

        TaskRow overlap(String policy) {
            return new TaskRow(title, priority, maxRetries, backoff, dedupeKey, dedupeWindowSeconds, concurrencyKey,
                    concurrencyLimit, policy, runTimeoutSeconds);
        }

        TaskRow priority(int p) {
            return new TaskRow(title, p, maxRetries, backoff, dedupeKey, dedupeWindowSeconds, concurrencyKey,
                    concurrencyLimit, overlapPolicy, runTimeoutSeconds);
        }

        TaskRow retries(int max, String strategy) {
            return new TaskRow(title, priority, max, strategy, dedupeKey, dedupeWindowSeconds, concurrencyKey,
                    concurrencyLimit, overlapPolicy, runTimeoutSeconds);
        }

        TaskRow concurrency(String key, int limit) {
            return new TaskRow(title, priority, maxRetries, backoff, dedupeKey, dedupeWindowSeconds, key, limit,
                    overlapPolicy, runTimeoutSeconds);
        }

        TaskRow dedupe(String key, int windowSeconds) {
            return new TaskRow(title, priority, maxRetries, backoff, key, windowSeconds, concurrencyKey, concurrencyLimit,
                    overlapPolicy, runTimeoutSeconds);
        }

        TaskRow timeout(int seconds) {
            return new TaskRow(title, priority, maxRetries, backoff, dedupeKey, dedupeWindowSeconds, concurrencyKey,
                    concurrencyLimit, overlapPolicy, seconds);
        }
    }

    /** The wall clock plus an offset a test can move forward (and every pool of the fixture sees it). */
    static final class TestClock extends Clock {

        private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

        void advance(Duration d) {
            offset.updateAndGet(o -> o.plus(d));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset.get());
        }
    }
}
