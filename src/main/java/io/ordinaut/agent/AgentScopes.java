package io.ordinaut.agent;

import java.sql.Array;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The scopes an agent holds (the {@code agent.scopes} column), for checking a task's tools against the
 * agent that owns it: at task creation with {@link #current} and at run time with {@link #granted}.
 * {@value #ADMIN} implies every scope.
 *
 * <p>Run-time reads are cached for {@code ordinaut.tools.catalog-refresh-seconds}, so a run does not cost
 * a query per step and a scope taken from an agent stops its runs within that time on every node.
 */
public final class AgentScopes {

    /** The scope that implies every other. */
    public static final String ADMIN = "admin";
    /** What a scope looks like, e.g. {@code crm:write} or {@code tools:read}. */
    public static final Pattern SYNTAX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:*/-]{0,99}");
    private static final int MAX_CACHED = 10_000;

    private static final String SCOPES_OF_AGENT = "SELECT scopes FROM agent WHERE id = :id";

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Duration ttl;
    private final Map<UUID, Cached> byAgent = new ConcurrentHashMap<>();

    public AgentScopes(JdbcClient jdbc, Clock clock, Duration ttl) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.ttl = ttl;
    }

    /**
     * The agent's scopes as they are now in the database (no cache); empty when the agent does not exist.
     */
    public Set<String> current(UUID agentId) {
        return jdbc.sql(SCOPES_OF_AGENT).param("id", agentId)
                .query((rs, row) -> scopes(rs.getArray("scopes")))
                .optional()
                .orElse(Set.of());
    }

    /**
     * The agent's scopes, read at most every refresh interval; empty when the agent does not exist. Pass
     * to {@code RunContext.withGrantedScopes} so each tool call checks them.
     */
    public Set<String> granted(UUID agentId) {
        Instant now = clock.instant();
        Cached cached = byAgent.get(agentId);
        if (cached != null && now.isBefore(cached.readAt().plus(ttl))) {
            return cached.scopes();
        }
        Set<String> fresh = current(agentId);
        if (byAgent.size() >= MAX_CACHED) {
            byAgent.clear();
        }
        byAgent.put(agentId, new Cached(fresh, now));
        return fresh;
    }

    /** Whether a string can be a scope (of a tool, and so of an agent that uses it). */
    public static boolean wellFormed(String scope) {
        return scope != null && SYNTAX.matcher(scope).matches();
    }

    /** The required scopes not covered by the granted ones, in order; none when {@value #ADMIN} is granted. */
    public static List<String> missing(Set<String> granted, Collection<String> required) {
        if (granted.contains(ADMIN)) {
            return List.of();
        }
        List<String> missing = new ArrayList<>();
        for (String scope : required) {
            if (!granted.contains(scope) && !missing.contains(scope)) {
                missing.add(scope);
            }
        }
        return missing;
    }

    private static Set<String> scopes(Array array) throws SQLException {
        if (array == null) {
            return Set.of();
        }
        try {
            return Arrays.stream((String[]) array.getArray()).filter(Objects::nonNull).collect(Collectors.toUnmodifiableSet());
        } finally {
            array.free();
        }
    }

    private record Cached(Set<String> scopes, Instant readAt) {
    }
}
