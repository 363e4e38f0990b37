package io.ordinaut.agent;

import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * Bearer tokens checked again after the request that presented them: a GET /events/stream connection is a
 * request that lasts, and a token revoked, expired, rotated away or deleted with its agent (or an agent
 * whose scopes were cut) must stop it as it stops every new request.
 */
public interface TokenRecheck {

    /**
     * Of these bearer tokens, those that still authenticate, each with the scopes its agent holds now; an
     * unknown, expired or revoked token is absent. One query for all of them.
     */
    Map<String, Set<String>> scopesOf(Collection<String> tokens);
}
