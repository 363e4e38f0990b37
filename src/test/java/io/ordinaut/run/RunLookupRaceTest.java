package io.ordinaut.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import liquibase.integration.spring.SpringLiquibase;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.ordinaut.queue.RunCommands;
import io.ordinaut.queue.RunProperties;
import io.ordinaut.support.TestDatabases;

/**
 * A run's id names it for its whole life, also while a retry by request moves it from the history back into
 * the queue: every lookup and every command in the meantime finds it.
 */
class RunLookupRaceTest {

    private static final String END_AGAIN = """
            WITH gone AS (DELETE FROM due_work WHERE id = :id RETURNING id, task_id, scheduled_for, trigger, attempt)
            INSERT INTO task_run (id, run_id, task_id, scheduled_for, trigger, attempt, status, finished_at, error)
            SELECT id, id, task_id, scheduled_for, trigger, attempt, 'failed', now(), 'down again' FROM gone
            """;

    @Test
    void a_run_being_retried_is_found_by_every_concurrent_lookup_and_command() throws Exception {
        try (HikariDataSource dataSource = migratedDatabase()) {
            JdbcClient jdbc = JdbcClient.create(dataSource);
            UUID run = failedRun(jdbc);
            RunRepository runs = new RunRepository(jdbc);
            RunCommands commands = new RunCommands(jdbc, Clock.systemUTC(), RunProperties.defaults());

            // while three clients retry the failed run and two look it up, and it keeps failing again at once
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger notFound = new AtomicInteger();
            AtomicInteger retried = new AtomicInteger();
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                clients.add(started(() -> {
                    while (!stop.get()) {
                        RunCommands.Result result = commands.retry(run);
                        if (!result.found()) {
                            notFound.incrementAndGet();
                        } else if (result.applied()) {
                            retried.incrementAndGet();
                        }
                    }
                }));
            }
            for (int i = 0; i < 2; i++) {
                clients.add(started(() -> {
                    while (!stop.get()) {
                        if (runs.find(run, null).isEmpty() || !runs.visible(run, null)) {
                            notFound.incrementAndGet();
                        }
                    }
                }));
            }
            // as many rounds as it takes, not a time: a loaded machine makes fewer rounds a second
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (retried.get() < 100 && System.nanoTime() < deadline) {
                jdbc.sql(END_AGAIN).param("id", run).update();
            }
            stop.set(true);
            for (Thread client : clients) {
                client.join();
            }

            // then it was retried many times, and never answered as unknown
            assertThat(notFound.get()).as("lookups and commands that did not find the run").isZero();
            assertThat(retried.get()).as("retries applied").isGreaterThanOrEqualTo(100);
        }
    }

    private static Thread started(Runnable client) {
        Thread thread = new Thread(client);
        thread.start();
        return thread;
    }

    private static UUID failedRun(JdbcClient jdbc) {
        UUID task = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO task (id, title, created_by, schedule_kind, schedule_expr, timezone, payload, status, priority,
                                  max_retries, backoff_strategy, overlap_policy, misfire_grace_seconds, active_since,
                                  created_at, updated_at)
                VALUES (:id, 'flaky', '00000000-0000-0000-0000-000000000001', 'event', 'test.topic', 'UTC',
                        '{"pipeline": [{"id": "s", "uses": "noop.run"}]}', 'active', 5, 0, 'fixed', 'allow', 3600,
                        now(), now(), now())""").param("id", task).update();
        UUID run = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO task_run (id, run_id, task_id, scheduled_for, trigger, attempt, status, finished_at, error)
                VALUES (:id, :id, :task, now(), 'run_now', 1, 'failed', now(), 'down')""").param("id", run).param("task", task).update();
        return run;
    }

    private static HikariDataSource migratedDatabase() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(TestDatabases.create());
        config.setUsername(TestDatabases.user());
        config.setPassword(TestDatabases.password());
        config.setMaximumPoolSize(8);
        HikariDataSource dataSource = new HikariDataSource(config);
        SpringLiquibase liquibase = new SpringLiquibase();
        liquibase.setDataSource(dataSource);
        liquibase.setChangeLog("classpath:db/changelog.yaml");
        liquibase.setResourceLoader(new DefaultResourceLoader());
        liquibase.afterPropertiesSet();
        return dataSource;
    }
}
