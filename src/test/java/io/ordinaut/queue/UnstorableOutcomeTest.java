package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.ordinaut.support.Eventually;

/**
 * An outcome that cannot be stored — its output cannot be written as JSON, or the database refuses its
 * text — fails its own run, not retried, and never holds the recorder: the other runs on the node, of
 * any task, are recorded as usual.
 */
class UnstorableOutcomeTest {

    @Test
    void an_output_that_contains_itself_fails_its_run_and_the_other_runs_are_recorded() {
        Map<String, Object> cyclic = new LinkedHashMap<>();
        cyclic.put("me", cyclic);
        assertUnstorableRunFailsAlone(cyclic, "cannot be written as JSON");
    }

    @Test
    void an_output_the_database_refuses_fails_its_run_and_the_other_runs_are_recorded() {
        // jsonb cannot hold \u0000: the statement fails with a data exception, the same on every retry
        assertUnstorableRunFailsAlone(Map.of("text", "a\u0000b"), "database refused it");
    }

    private static void assertUnstorableRunFailsAlone(Object unstorable, String reason) {
        try (QueueFixture fx = new QueueFixture()) {
            // given a run whose output cannot be stored, allowed retries, queued with another task's runs
            UUID poisonTask = fx.task(QueueFixture.TaskRow.defaults().retries(3, "fixed"));
            List<UUID> otherTasks = List.of(fx.task(QueueFixture.TaskRow.defaults()), fx.task(QueueFixture.TaskRow.defaults()),
                    fx.task(QueueFixture.TaskRow.defaults()));
            UUID poisonRun = fx.queue().enqueueNow(poisonTask, "run_now", fx.clock.instant());
            for (UUID other : otherTasks) {
                fx.queue().enqueueNow(other, "run_now", fx.clock.instant());
            }
            RunHandler handler = run -> run.taskId().equals(poisonTask)
                    ? RunResult.succeeded(unstorable)
                    : RunResult.succeeded(Map.of("ok", true));

            // when one node runs them all (in one batch of results, as they end together)
            ExecutorPool pool = fx.node("node-a", handler, QueueFixture.executor(4, 30, 0));
            Eventually.until("every run recorded", () -> fx.history(poisonTask).size() == 1
                    && otherTasks.stream().allMatch(t -> fx.history(t).size() == 1));

            // then the run that cannot be stored failed once, without output, not retried
            Map<String, Object> failed = fx.history(poisonTask).get(0);
            assertThat(failed).containsEntry("status", "failed").containsEntry("id", poisonRun);
            assertThat(failed.get("output")).isNull();
            assertThat((String) failed.get("error")).contains("could not be stored", reason, "not retried");
            assertThat(fx.queueRow(poisonRun)).isNull();
            // and the others succeeded with their outputs
            List<Map<String, Object>> others = otherTasks.stream().map(t -> fx.history(t).get(0)).toList();
            assertThat(others).extracting(r -> r.get("status")).containsOnly("succeeded");
            assertThat(others).extracting(r -> String.valueOf(r.get("output"))).allMatch(o -> o.contains("\"ok\""));

            // and runs that end later are recorded too: the recorder is not stuck on the first
            UUID later = fx.queue().enqueueNow(otherTasks.get(0), "run_now", fx.clock.instant());
            pool.wake();
            Eventually.until("a later run recorded", () -> fx.history(otherTasks.get(0)).size() == 2);
            assertThat(fx.queueRow(later)).isNull();
            assertThat(pool.loopFailures()).containsEntry("ordinaut-run-recorder", 0L);
        }
    }
}
