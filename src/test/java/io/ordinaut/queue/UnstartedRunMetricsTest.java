package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ordinaut.metrics.OrdinautMetrics;

/**
 * ordinaut_runs_total counts the runs that end before they start where they are recorded — dedupe
 * duplicates at enqueue, overlap skips and stale runs at the claim, cancels of queued runs, runs dropped by
 * a task change — as /stats/summary counts their history rows.
 */
class UnstartedRunMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final OrdinautMetrics metrics = new OrdinautMetrics(registry);

    @Test
    void runs_skipped_or_canceled_before_they_start_are_counted_by_outcome_and_trigger() {
        try (QueueFixture fx = new QueueFixture(); Claims claims = new Claims(fx.dataSource, metrics)) {
            DueWorkQueue queue = new DueWorkQueue(fx.jdbc, fx.clock, RunProperties.defaults(), metrics);
            RunCommands commands = new RunCommands(fx.jdbc, fx.clock, RunProperties.defaults(), metrics);
            Instant now = fx.clock.instant().truncatedTo(ChronoUnit.MICROS);

            // given a dedupe duplicate recorded at enqueue
            UUID deduped = fx.task(QueueFixture.TaskRow.defaults().allowOverlap().dedupe("daily-report", 60));
            assertThat(queue.enqueueTaskOccurrences(deduped, List.of(now.plusSeconds(3600), now.plusSeconds(3601)))).isOne();
            // and a queued run canceled by request, and two dropped by a task change
            UUID canceledRun = queue.enqueueNow(fx.task(QueueFixture.TaskRow.defaults()), "run_now", now);
            assertThat(commands.cancel(canceledRun).status()).isEqualTo(RunStatus.CANCELED);
            UUID paused = fx.task(QueueFixture.TaskRow.defaults().allowOverlap());
            queue.enqueueTaskOccurrences(paused, List.of(now.plusSeconds(3600), now.plusSeconds(3601)));
            assertThat(queue.dropQueued(paused, true, "canceled: the task was paused")).isEqualTo(2);
            // and, due now, a run behind another of its task (overlap skip) and a run of a canceled task
            UUID overlapping = fx.task(QueueFixture.TaskRow.defaults());
            queue.enqueueTaskOccurrences(overlapping, List.of(now.minusSeconds(2), now.minusSeconds(1)));
            UUID gone = fx.task(QueueFixture.TaskRow.defaults());
            fx.enqueue(queue, gone, 1);
            fx.jdbc.sql("UPDATE task SET status = 'canceled' WHERE id = :id").param("id", gone).update();

            // when a claim takes what is due
            assertThat(claims.claim("node-a", 10, Duration.ofSeconds(60))).hasSize(1);

            // then each is counted once, under its outcome and trigger
            assertThat(runs("skipped", "schedule")).isEqualTo(2);
            assertThat(runs("canceled", "schedule")).isEqualTo(3);
            assertThat(runs("canceled", "run_now")).isEqualTo(1);
            assertThat(fx.count("SELECT count(*) FROM task_run WHERE status IN ('skipped', 'canceled')")).isEqualTo(6);
        }
    }

    private double runs(String outcome, String trigger) {
        return registry.get("ordinaut.runs").tag("outcome", outcome).tag("trigger", trigger).counter().count();
    }
}
