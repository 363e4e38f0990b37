package io.ordinaut.tool;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import org.springframework.dao.DataAccessException;

import io.ordinaut.agent.AgentScopes;

/**
 * Which catalogued tools a task's pipeline may call. The catalog is shared: an address another agent's
 * pipeline already names is refused to a non-admin at registration, but a tool registered before that rule,
 * or one whose owner lost {@code admin}, may still sit at such an address. Calling it would hand the calling
 * task's data (its rendered arguments) to whoever registered it, so a step may call only a tool its task's
 * owner trusts:
 * <ul>
 *   <li>one that owner registered itself,</li>
 *   <li>one an admin registered (the owner holds {@value AgentScopes#ADMIN}), or</li>
 *   <li>one with no owner: registered before tools had owners, or left by a deleted agent — only admins
 *       may change those, so they count as admins' tools.</li>
 * </ul>
 * A call on no agent's behalf trusts only the last two kinds.
 *
 * <p>Whether an owner is an admin is read through {@link AgentScopes#granted}, cached for
 * {@code ordinaut.tools.catalog-refresh-seconds}: an owner that loses {@code admin} keeps its tools callable
 * by other agents' pipelines for up to that long on each node (and one that gains it waits as long).
 * The owner itself comes from this node's catalog copy, which other nodes' changes reach within the same
 * interval.
 */
final class ToolTrust {

    private final Function<UUID, Set<String>> scopesOfAgent;

    /** @param scopesOfAgent an agent's scopes, cheap to ask (cached); empty for an agent that does not exist */
    ToolTrust(Function<UUID, Set<String>> scopesOfAgent) {
        this.scopesOfAgent = Objects.requireNonNull(scopesOfAgent, "scopesOfAgent");
    }

    /** Trusts nobody's tools but admins' (and ownerless ones): for routers that cannot look agents up. */
    static ToolTrust ownerlessOnly() {
        return new ToolTrust(agent -> Set.of());
    }

    /**
     * @throws ToolCallException not retryable, when the tool belongs to another agent that is not an admin;
     *                           retryable, when the owner's scopes cannot be read now
     */
    void check(ToolDefinition tool, ToolCall call) {
        if (trusts(call.agentId(), tool)) {
            return;
        }
        UUID owner = tool.owner();
        // Names the owner, never the endpoint: that is the other agent's business.
        throw ToolCallException.permanent("tool " + tool.address() + " belongs to another agent (" + owner
                + "); a pipeline may call only its own agent's tools and admins' tools");
    }

    /**
     * Whether a pipeline of {@code agent} (null: on no agent's behalf) may call the tool.
     *
     * @throws ToolCallException retryable, when the owner's scopes cannot be read now
     */
    boolean trusts(UUID agent, ToolDefinition tool) {
        UUID owner = tool.owner();
        return owner == null || owner.equals(agent) || ownerIsAdmin(owner);
    }

    /**
     * Whether the tool's headers may read secrets ({@code ${env:…}}, {@code ${secret:…}}): only an admin's or
     * an ownerless tool's. Registration refuses a reference from anyone else; this catches rows written before
     * that rule, and tools whose owner has since lost {@value AgentScopes#ADMIN}.
     *
     * @throws ToolCallException retryable, when the owner's scopes cannot be read now
     */
    boolean mayReadSecrets(ToolDefinition tool) {
        return tool.owner() == null || ownerIsAdmin(tool.owner());
    }

    /**
     * @throws ToolCallException not retryable, when a header names a secret and the tool's owner is not an admin;
     *                           the secret is never read, and neither its value nor its name is told
     */
    void checkSecrets(ToolDefinition tool) {
        List<String> naming = HeaderRules.namingSecrets(tool.headers());
        if (!naming.isEmpty() && !mayReadSecrets(tool)) {
            throw ToolCallException.permanent("tool " + tool.address() + " was registered by an agent that is not an admin, "
                    + "and its header" + (naming.size() > 1 ? "s " : " ") + String.join(", ", naming)
                    + " name" + (naming.size() > 1 ? "" : "s") + " a secret; only tools registered by an admin may read "
                    + "${env:…}/${secret:…} secrets, so it is not called (an admin must register it, or its owner remove the header)");
        }
    }

    private boolean ownerIsAdmin(UUID owner) {
        try {
            return scopesOfAgent.apply(owner).contains(AgentScopes.ADMIN);
        } catch (DataAccessException e) {
            throw new ToolCallException("the owner of a tool cannot be looked up: " + e.getMostSpecificCause().getMessage(),
                    true, null, e);
        }
    }
}
