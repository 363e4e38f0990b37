package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.ordinaut.support.NodeTestSupport;

/** runs_per_day counts executions: every attempt of a run calls the agent's tools again. */
class RunBudgetTest extends NodeTestSupport {

    private static final String PIPELINE = "{\"pipeline\": [{\"id\": \"a\", \"uses\": \"noop.run\"}]}";

    @Autowired
    PipelineRunHandler handler;

    @Test
    void every_execution_counts_against_runs_per_day_retries_and_reclaims_included() {
        // given an agent allowed two runs a day
        UUID agent = UUID.fromString(api.post("/agents", Map.of("name", "budget-" + UUID.randomUUID().toString().substring(0, 8),
                "scopes", List.of("tasks:create", "runs:read"), "budget", Map.of("runs_per_day", 2))).expect(201).string("id"));
        UUID runId = UUID.randomUUID();

        // when one of its runs executes as its first attempt, then as a retry, then reclaimed as a third
        RunResult first = handler.execute(attempt(runId, agent, 1, "run_now"));
        RunResult retry = handler.execute(attempt(runId, agent, 2, "retry"));
        RunResult reclaimed = handler.execute(attempt(runId, agent, 3, "reclaim"));

        // then the third execution is over the budget, and each one was counted
        assertThat(first.success()).isTrue();
        assertThat(retry.success()).isTrue();
        assertThat(reclaimed.skipped()).isTrue();
        assertThat(reclaimed.error()).contains("budget", "runs_per_day");
        assertThat(jdbc.sql("SELECT runs FROM agent_run_day WHERE agent_id = :agent").param("agent", agent)
                .query(Integer.class).single()).isEqualTo(3);
    }

    private static ClaimedRun attempt(UUID runId, UUID agent, int attempt, String trigger) {
        return new ClaimedRun(runId, UUID.randomUUID(), UUID.randomUUID(), Instant.now(), Instant.now(), trigger, attempt,
                "budgeted", "UTC", PIPELINE, 3, "fixed", null, null, agent, Instant.now());
    }
}
