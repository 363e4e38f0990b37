package io.ordinaut.web;

import java.util.Set;
import java.util.UUID;

/**
 * The authenticated agent behind a request. {@code admin} implies every scope and sees every agent's
 * tasks; anyone else sees only their own.
 */
public record Caller(UUID agentId, String name, Set<String> scopes, Integer apiCallsPerHour) {

    public static final String ADMIN = "admin";

    public Caller {
        scopes = Set.copyOf(scopes);
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
