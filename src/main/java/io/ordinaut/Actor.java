package io.ordinaut;

import java.util.UUID;

/**
 * The agent a domain operation acts for, as the domain needs it: who it is, and whether it is an admin
 * (who may see and change every agent's things). The web layer makes one from the authenticated caller.
 */
public record Actor(UUID agentId, boolean admin) {

    /** The owner to filter on: the agent itself, or null for an admin (every owner). */
    public UUID ownerFilter() {
        return admin ? null : agentId;
    }

    /** Whether the actor may change something that {@code owner} owns (null: owned by no agent, admins only). */
    public boolean mayChange(UUID owner) {
        return admin || agentId.equals(owner);
    }
}
