package io.ordinaut.agent;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Enforces agents' {@code runs_per_day} budgets (UTC days, by the database's clock) across the cluster:
 * every execution of a budgeted agent's run — first attempts, retries, reclaims, re-drives, run_now —
 * increments one counter row atomically, since each one may call the agent's tools again. Agents
 * without a budget cost one cached lookup.
 */
@Component
public class RunBudget {

    /** Budgets change rarely; a few seconds of staleness is fine and keeps the hot path free of queries. */
    private static final long CACHE_MILLIS = 5_000;

    private static final String BUDGET = "SELECT runs_per_day FROM agent WHERE id = :agent";
    private static final String COUNT = """
            INSERT INTO agent_run_day (agent_id, day, runs) VALUES (:agent, CAST(now() AT TIME ZONE 'UTC' AS date), 1)
            ON CONFLICT (agent_id, day) DO UPDATE SET runs = agent_run_day.runs + 1
            RETURNING runs
            """;

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Map<UUID, Cached> budgets = new ConcurrentHashMap<>();

    RunBudget(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Counts an execution for the agent; false when it exceeds the agent's budget for today. */
    public boolean admit(UUID agentId) {
        if (agentId == null) {
            return true;
        }
        Integer limit = budgetOf(agentId);
        if (limit == null) {
            return true;
        }
        int started = jdbc.sql(COUNT).param("agent", agentId).query(Integer.class).single();
        return started <= limit;
    }

    private Integer budgetOf(UUID agentId) {
        long now = clock.millis();
        Cached cached = budgets.get(agentId);
        if (cached == null || now - cached.loadedAt() > CACHE_MILLIS) {
            Optional<Integer> limit = jdbc.sql(BUDGET).param("agent", agentId).query((rs, i) -> (Integer) rs.getObject(1)).optional();
            cached = new Cached(limit.orElse(null), now);
            budgets.put(agentId, cached);
        }
        return cached.limit();
    }

    private record Cached(Integer limit, long loadedAt) {
    }
}
