package io.ordinaut.tool;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * One call of a tool by a pipeline step.
 *
 * @param address        tool address, e.g. {@code weather-mcp.forecast}
 * @param args           rendered arguments (read-only)
 * @param idempotencyKey the same for every attempt of this step for this scheduled occurrence; see
 *                       {@link #idempotencyKey(String, Instant, String)}
 * @param runId          the run performing the call
 * @param attempt        the run's attempt number, 1-based
 * @param timeout        how long the caller waits for this call
 * @param grantedScopes  scopes the task may use; null when scopes are not enforced
 * @param agentId        the task's owner: it may call only its own and admins' tools ({@link ToolTrust});
 *                       null for a call on no agent's behalf, which may call only admins' (and ownerless) tools
 * @param clock          the calling run's clock, for what a tool stamps on this node (a simulated tool's
 *                       timestamp); null = the invoker's own clock
 */
public record ToolCall(
        String address,
        Map<String, Object> args,
        String idempotencyKey,
        String runId,
        int attempt,
        Duration timeout,
        Set<String> grantedScopes,
        UUID agentId,
        Clock clock) {

    public ToolCall {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(timeout, "timeout");
    }

    /** A call stamped by the invoker's own clock. */
    public ToolCall(String address, Map<String, Object> args, String idempotencyKey, String runId, int attempt,
                    Duration timeout, Set<String> grantedScopes, UUID agentId) {
        this(address, args, idempotencyKey, runId, attempt, timeout, grantedScopes, agentId, null);
    }

    /** A call on no agent's behalf. */
    public ToolCall(String address, Map<String, Object> args, String idempotencyKey, String runId, int attempt,
                    Duration timeout, Set<String> grantedScopes) {
        this(address, args, idempotencyKey, runId, attempt, timeout, grantedScopes, null, null);
    }

    /**
     * The idempotency key of a step for one scheduled occurrence of a task: a hex SHA-256 of the task
     * id, the scheduled instant and the step id. It stays the same across step retries, run retries
     * and reclaims by another node, so a tool can drop duplicates.
     */
    public static String idempotencyKey(String taskId, Instant scheduledFor, String stepId) {
        return Digests.sha256Hex("ordinaut/v1\n" + taskId + "\n" + scheduledFor + "\n" + stepId);
    }
}
