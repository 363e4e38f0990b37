package io.ordinaut.bench;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The peer of the drain scenario: db-scheduler (test scope only) draining N due one-time executions
 * from its own table on the same PostgreSQL server, with lock-and-fetch polling ({@code UPDATE … FOR
 * UPDATE SKIP LOCKED RETURNING}, its recommended strategy for throughput on PostgreSQL) and the same
 * no-op work. The backlog is inserted by one statement, as Ordinaut's fire inserts its runs.
 */
final class DbSchedulerDrain {

    /** db-scheduler's PostgreSQL table (its postgresql_tables.sql). */
    private static final String SCHEMA = """
            CREATE TABLE scheduled_tasks (
                task_name text NOT NULL,
                task_instance text NOT NULL,
                task_data bytea,
                execution_time timestamptz NOT NULL,
                picked boolean NOT NULL,
                picked_by text,
                last_success timestamptz,
                last_failure timestamptz,
                consecutive_failures int,
                last_heartbeat timestamptz,
                version bigint NOT NULL,
                priority smallint,
                PRIMARY KEY (task_name, task_instance)
            );
            CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
            CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
            CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC);
            """;

    static final int THREADS = Integer.getInteger("bench.dbscheduler.threads", 32);

    record Result(double runsPerSecond, double drainRunsPerSecond, double p50, double p99, double max) {
    }

    private final HikariDataSource dataSource;
    private final JdbcClient jdbc;
    private final Scheduler scheduler;
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicLong firstStartNanos = new AtomicLong();
    private volatile long[] lagMicros = new long[0];

    DbSchedulerDrain(String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(Bench.USER);
        config.setPassword(Bench.PASSWORD);
        // A connection per worker thread plus the poller's, as db-scheduler's documentation advises.
        config.setMaximumPoolSize(THREADS + 4);
        dataSource = new HikariDataSource(config);
        jdbc = JdbcClient.create(dataSource);
        for (String statement : SCHEMA.split(";")) {
            if (!statement.isBlank()) {
                jdbc.sql(statement).update();
            }
        }
        OneTimeTask<Void> noop = Tasks.oneTime("noop").execute((instance, context) -> {
            long now = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
            firstStartNanos.compareAndSet(0, System.nanoTime());
            long[] lags = lagMicros;
            int i = done.getAndIncrement();
            if (i < lags.length) {
                Instant due = context.getExecution().executionTime;
                lags[i] = now - (due.getEpochSecond() * 1_000_000 + due.getNano() / 1000);
            }
        });
        scheduler = Scheduler.create(dataSource, noop)
                .threads(THREADS)
                // Lock-and-fetch: fetch again when half the threads are free, up to 3× the threads per batch
                // (the most db-scheduler allows, UPPER_LIMIT_FRACTION_OF_THREADS_FOR_FETCH); a 1 s poll while idle.
                .pollUsingLockAndFetch(0.5, 3.0)
                .pollingInterval(Duration.ofSeconds(1))
                .build();
        scheduler.start();
    }

    /** Inserts {@code count} due executions with one statement and waits until all are done; null lags when warming up. */
    Result drain(int count) throws InterruptedException {
        done.set(0);
        firstStartNanos.set(0);
        lagMicros = new long[count];
        Instant due = Instant.now().truncatedTo(ChronoUnit.MICROS);
        long t0 = System.nanoTime();
        jdbc.sql("""
                INSERT INTO scheduled_tasks (task_name, task_instance, execution_time, picked, version)
                SELECT 'noop', 'i' || g || '-' || :tag, :due, false, 1 FROM generate_series(1, :count) g""")
                .param("tag", System.nanoTime()).param("due", Timestamp.from(due)).param("count", count).update();
        long deadline = System.currentTimeMillis() + 900_000;
        while (jdbc.sql("SELECT EXISTS (SELECT 1 FROM scheduled_tasks)").query(Boolean.class).single()) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("db-scheduler did not drain " + count + " executions in 15 minutes");
            }
            Thread.sleep(20);
        }
        long end = System.nanoTime();
        double seconds = (end - t0) / 1e9;
        double drainSeconds = (end - firstStartNanos.get()) / 1e9;
        long[] lags = Arrays.copyOf(lagMicros, Math.min(count, done.get()));
        double[] ms = Arrays.stream(lags).mapToDouble(l -> l / 1000.0).sorted().toArray();
        return new Result(count / seconds, count / drainSeconds, Bench.percentile(ms, 0.5), Bench.percentile(ms, 0.99),
                ms.length == 0 ? Double.NaN : ms[ms.length - 1]);
    }

    void close() {
        scheduler.stop();
        dataSource.close();
    }
}
