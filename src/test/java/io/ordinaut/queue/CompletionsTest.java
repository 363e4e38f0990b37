package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

/**
 * The finish statement on one batch that mixes every case: runs that end, runs re-queued for a retry, a
 * run whose lease was lost meanwhile (its result must not be written) and runs holding concurrency slots.
 */
class CompletionsTest {

    @Test
    void one_batch_ends_retries_and_drops_what_it_no_longer_holds() {
        try (QueueFixture fx = new QueueFixture(); Claims claims = new Claims(fx.dataSource)) {
            // given 40 runs claimed by node-a: ten of them hold slots of one concurrency key
            DueWorkQueue queue = fx.queue();
            for (int i = 0; i < 30; i++) {
                fx.enqueue(queue, fx.task(QueueFixture.TaskRow.defaults()), 1);
            }
            for (int i = 0; i < 10; i++) {
                fx.enqueue(queue, fx.task(QueueFixture.TaskRow.defaults().concurrency("k", 10)), 1);
            }
            List<ClaimedRun> claimed = claims.claim("node-a", 100, Duration.ofSeconds(60));
            assertThat(claimed).hasSize(40);
            assertThat(fx.count("SELECT running FROM concurrency_slot WHERE key LIKE '%:k'")).isEqualTo(10);

            // and the lease of one of them taken over by another node since
            ClaimedRun lost = claimed.get(0);
            fx.jdbc.sql("UPDATE due_work SET locked_by = 'node-b', lease_token = gen_random_uuid() WHERE id = :id")
                    .param("id", lost.id()).update();

            // when node-a writes every outcome in one statement: every third run is retried, the rest end
            Instant now = fx.clock.instant();
            List<Outcome> outcomes = new ArrayList<>();
            List<ClaimedRun> retried = new ArrayList<>();
            for (int i = 0; i < claimed.size(); i++) {
                ClaimedRun run = claimed.get(i);
                boolean retry = i % 3 == 1;
                if (retry) {
                    retried.add(run);
                }
                outcomes.add(retry
                        ? new Outcome(run.id(), run.leaseToken(), UUID.randomUUID(), run.taskId(), run.scheduledFor(), run.trigger(),
                                run.attempt(), RunStatus.FAILED, false, now, now, "boom", null, Duration.ofSeconds(30))
                        : new Outcome(run.id(), run.leaseToken(), run.id(), run.taskId(), run.scheduledFor(), run.trigger(),
                                run.attempt(), RunStatus.SUCCEEDED, true, now, now, null, Map.of("n", i), null));
            }
            int recorded = new Completions(fx.jdbc, JsonMapper.shared(), 60).finish("node-a", outcomes);

            // then everything but the lost run is written, once
            assertThat(recorded).isEqualTo(39);
            assertThat(fx.count("SELECT count(*) FROM task_run WHERE run_id = ?", lost.id())).isZero();
            assertThat(fx.queueRow(lost.id())).containsEntry("locked_by", "node-b");
            assertThat(fx.count("SELECT count(*) FROM task_run WHERE status = 'succeeded'")).isEqualTo(40 - retried.size() - 1);
            assertThat(fx.count("SELECT count(*) FROM task_run WHERE status = 'failed' AND error = 'boom'")).isEqualTo(retried.size());
            // the retried runs are back in the queue, unleased, for their second attempt; the ended ones are gone
            for (ClaimedRun run : retried) {
                Map<String, Object> row = fx.queueRow(run.id());
                assertThat(row).containsEntry("attempt", 2).containsEntry("trigger", "retry").containsEntry("locked_by", null);
            }
            assertThat(fx.count("SELECT count(*) FROM due_work")).isEqualTo(retried.size() + 1);
            // the output of an ended run is stored as given, and the key's slots are all free again
            assertThat(fx.jdbc.sql("SELECT output ->> 'n' FROM task_run WHERE run_id = :id").param("id", claimed.get(2).id())
                    .query(String.class).single()).isEqualTo("2");
            assertThat(fx.count("SELECT running FROM concurrency_slot WHERE key LIKE '%:k'")).isZero();

            // and writing the same batch again changes nothing: no row is held by those leases any more
            assertThat(new Completions(fx.jdbc, JsonMapper.shared(), 60).finish("node-a", outcomes)).isZero();
            assertThat(fx.count("SELECT count(*) FROM task_run")).isEqualTo(39);
        }
    }
}
