package io.ordinaut.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.NodeTestSupport;

/**
 * Two PUTs at once that swap tasks between the same pair of shared schedules lock the schedules in
 * one order: they queue up instead of deadlocking, so neither caller ever sees a 409.
 */
class ScheduleSwapTest extends NodeTestSupport {

    private static final String HOURLY = "FREQ=HOURLY";
    private static final String DAILY = "FREQ=DAILY";
    private static final int ROUNDS = 30;

    static Map<String, Object> task(String title, String rule) {
        return Map.of("title", title, "schedule_kind", "rrule", "schedule_expr", rule,
                "payload", Map.of("pipeline", List.of(Map.of("id", "s", "uses", "noop.run"))));
    }

    @Test
    void concurrent_puts_swapping_tasks_between_two_shared_schedules_all_succeed() throws Exception {
        // keepers hold both schedules, so the swaps move tasks between two rows that stay
        api.post("/tasks", task("keeps hourly", HOURLY)).expect(201);
        api.post("/tasks", task("keeps daily", DAILY)).expect(201);
        String a = api.post("/tasks", task("a", HOURLY)).expect(201).string("id");
        String b = api.post("/tasks", task("b", DAILY)).expect(201).string("id");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Integer> statuses = new ArrayList<>();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                boolean even = round % 2 == 0;
                CyclicBarrier start = new CyclicBarrier(2);
                Future<Integer> moveA = pool.submit(() -> {
                    start.await();
                    return api.put("/tasks/" + a, Map.of("schedule_expr", even ? DAILY : HOURLY)).status();
                });
                Future<Integer> moveB = pool.submit(() -> {
                    start.await();
                    return api.put("/tasks/" + b, Map.of("schedule_expr", even ? HOURLY : DAILY)).status();
                });
                statuses.add(moveA.get());
                statuses.add(moveB.get());
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(statuses).as("every swap answered").allMatch(s -> s == 200);
        long schedules = jdbc.sql("SELECT count(*) FROM schedule").query(Long.class).single();
        assertThat(schedules).isEqualTo(2);
        assertThat(api.get("/tasks/" + a).get("schedule_expr")).isEqualTo(HOURLY);
        assertThat(api.get("/tasks/" + b).get("schedule_expr")).isEqualTo(DAILY);
    }
}
