package io.ordinaut.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.ordinaut.schedule.Schedule;
import io.ordinaut.support.Eventually;
import io.ordinaut.support.NodeTestSupport;

/**
 * Joins of an existing shared schedule (windows mode) lock its row FOR SHARE: a join does not wait for
 * another join's commit, while a fire or a leave (FOR UPDATE) still waits for every joiner.
 */
class SharedJoinLockTest extends NodeTestSupport {

    @Autowired
    ScheduleRegistry registry;

    @Autowired
    PlatformTransactionManager transactions;

    @Test
    void a_join_does_not_wait_for_another_uncommitted_join_of_the_same_schedule_but_a_fire_does() throws Exception {
        String start = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        Map<String, Object> task = Map.of("title", "shared", "schedule_kind", "interval", "schedule_expr", "PT1H",
                "start_at", start, "misfire_grace_seconds", 4321,
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
        String first = api.post("/tasks", task).expect(201).string("id");
        UUID scheduleId = jdbc.sql("SELECT schedule_id FROM task WHERE id = CAST(:id AS uuid)").param("id", first)
                .query(UUID.class).single();
        Schedule schedule = jdbc.sql("SELECT * FROM schedule WHERE id = :id").param("id", scheduleId)
                .query((rs, i) -> WindowFirer.compile(rs)).single();
        CountDownLatch joined = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);

        // given a join of the schedule that has not committed yet
        CompletableFuture<UUID> holder = CompletableFuture.supplyAsync(() -> new TransactionTemplate(transactions).execute(s -> {
            UUID id = registry.join(UUID.randomUUID(), schedule, 4321, java.time.Instant.now(), attached -> { });
            joined.countDown();
            Eventually.released(release);
            return id;
        }));
        assertThat(joined.await(30, TimeUnit.SECONDS)).isTrue();

        // when another task joins the same schedule, and a fire tries to lock it
        CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> api.post("/tasks", task).expect(201).string("id"));

        // then the join answers at once, on the same schedule, while the fire's lock is refused
        String secondId = second.get(10, TimeUnit.SECONDS);
        assertThat(jdbc.sql("SELECT schedule_id FROM task WHERE id = CAST(:id AS uuid)").param("id", secondId).query(UUID.class).single())
                .isEqualTo(scheduleId);
        assertThatThrownBy(() -> new TransactionTemplate(transactions).executeWithoutResult(s ->
                jdbc.sql("SELECT id FROM schedule WHERE id = :id FOR UPDATE NOWAIT").param("id", scheduleId).query(UUID.class).list()))
                .isInstanceOf(DataAccessException.class);
        release.countDown();
        assertThat(holder.get(30, TimeUnit.SECONDS)).isEqualTo(scheduleId);
    }
}
