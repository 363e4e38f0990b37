package io.ordinaut.web;

import java.util.Set;
import java.util.UUID;

import io.ordinaut.Actor;

/**
 * The authenticated agent behind a request. {@code admin} implies every scope and sees every agent's
 * tasks; anyone else sees only their own.
 */
public record Caller(UUID agentId, String name, Set<String> scopes, Integer apiCallsPerHour) {

    public static final String ADMIN = "admin";

    public Caller {
        scopes = Set.copyOf(scopes);
    }

    /** The caller as the domain sees it. */
    public Actor actor() {
        return new Actor(agentId, isAdmin());
    }

    public boolean isAdmin() {
        return scopes.contains(ADMIN);
    }

    public boolean has(String scope) {
        return isAdmin() || scopes.contains(scope);
    }

    /** The owner a query must be limited to: null for admins (no limit), else the caller. */
    public UUID ownerFilter() {
        return isAdmin() ? null : agentId;
    }
}
