package io.ordinaut.pipeline;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Who and what a run is for; becomes {@code task}, {@code run} and {@code event} in the expression
 * context.
 *
 * @param trigger       one of {@link #TRIGGERS}
 * @param event         the triggering event, or null when the run was not caused by one
 * @param grantedScopes scopes the task may use, checked against each tool's scopes; null = not enforced
 * @param agentId       the task's owner, whose trust decides which catalogued tools its steps may call
 *                      (its own and admins'); null = no agent, which may call only admins' tools
 * @param clock         the run's clock, which stamps its steps (trace started_at, {@code now}, simulated
 *                      tools' timestamps): the executor gives each run its node's clock set to the frame of
 *                      the run's started_at (see {@code Execution#runClock}); null = the runner's own clock
 */
public record RunContext(
        String taskId,
        String taskTitle,
        ZoneId timezone,
        String runId,
        int attempt,
        Instant scheduledFor,
        String trigger,
        Event event,
        Set<String> grantedScopes,
        UUID agentId,
        Clock clock) {

    public static final Set<String> TRIGGERS = Set.of("schedule", "run_now", "event", "retry", "reclaim");

    public RunContext {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(timezone, "timezone");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(scheduledFor, "scheduledFor");
        if (!TRIGGERS.contains(trigger)) {
            throw new IllegalArgumentException("trigger must be one of " + TRIGGERS + ", got " + trigger);
        }
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt is 1-based, got " + attempt);
        }
        grantedScopes = grantedScopes == null ? null : Set.copyOf(grantedScopes);
    }

    public RunContext(String taskId, String taskTitle, ZoneId timezone, String runId, int attempt,
                      Instant scheduledFor, String trigger) {
        this(taskId, taskTitle, timezone, runId, attempt, scheduledFor, trigger, null, null, null, null);
    }

    public RunContext withEvent(Event event) {
        return new RunContext(taskId, taskTitle, timezone, runId, attempt, scheduledFor, trigger, event, grantedScopes, agentId, clock);
    }

    public RunContext withGrantedScopes(Set<String> scopes) {
        return new RunContext(taskId, taskTitle, timezone, runId, attempt, scheduledFor, trigger, event, scopes, agentId, clock);
    }

    /** The run on behalf of this agent, the task's owner. */
    public RunContext withAgent(UUID agent) {
        return new RunContext(taskId, taskTitle, timezone, runId, attempt, scheduledFor, trigger, event, grantedScopes, agent, clock);
    }

    /** The run with its own clock (see {@code clock} above). */
    public RunContext withClock(Clock runClock) {
        return new RunContext(taskId, taskTitle, timezone, runId, attempt, scheduledFor, trigger, event, grantedScopes, agentId,
                runClock);
    }

    /**
     * An event that triggered the run; {@code payload} is plain JSON-shaped Java.
     *
     * @param publishedAt ISO-8601 instant, or null when unknown
     */
    public record Event(String topic, Object payload, String id, String publishedAt) {

        public Event(String topic, Object payload, String id) {
            this(topic, payload, id, null);
        }
    }
}
