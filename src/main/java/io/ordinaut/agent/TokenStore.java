package io.ordinaut.agent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import io.ordinaut.config.SecurityProperties;
import io.ordinaut.web.Authenticator;
import io.ordinaut.web.Caller;

/**
 * Opaque bearer tokens. Only their SHA-256 hashes are stored, so a database leak reveals no token, and
 * every node checks the same rows, so revocation takes effect everywhere at once.
 * <p>
 * A token's {@code family} is its session: every token descended from one {@code POST /agents/auth/token}
 * through refreshes. A refresh retires the pair it came from and issues the next pair into the same family;
 * a used refresh token presented again means two parties hold the session (one of them stole it), and
 * which one is the agent cannot be told, so the whole family is revoked (OAuth refresh-token rotation with
 * reuse detection, RFC 9700 4.14.2).
 */
@Component
class TokenStore implements Authenticator, TokenRecheck {

    private static final SecureRandom RANDOM = new SecureRandom();

    private static final String INSERT = """
            INSERT INTO agent_token (token_hash, agent_id, kind, family, expires_at)
            VALUES (:hash, :agent, :kind, :family, :expiresAt)
            ON CONFLICT (token_hash) DO NOTHING
            """;
    private static final String AUTHENTICATE = """
            SELECT a.id, a.name, a.scopes, a.api_calls_per_hour
              FROM agent_token t JOIN agent a ON a.id = t.agent_id
             WHERE t.token_hash = :hash AND t.kind IN ('access', 'bootstrap') AND t.revoked_at IS NULL
               AND (t.expires_at IS NULL OR t.expires_at > :now)
            """;
    private static final String LIVE_SCOPES = """
            SELECT t.token_hash, a.scopes
              FROM agent_token t JOIN agent a ON a.id = t.agent_id
             WHERE t.token_hash IN (:hashes) AND t.kind IN ('access', 'bootstrap') AND t.revoked_at IS NULL
               AND (t.expires_at IS NULL OR t.expires_at > :now)
            """;
    private static final String REFRESH_TOKEN = """
            SELECT agent_id, family, revoked_at IS NOT NULL AS used, expires_at > :now AS unexpired FROM agent_token
             WHERE token_hash = :hash AND kind = 'refresh'
             FOR UPDATE
            """;
    private static final String FAMILY_OF = "SELECT agent_id, family, kind FROM agent_token WHERE token_hash = :hash";
    /** The family's live tokens only: an expired one is dead already, and a session with none left revokes nothing. */
    private static final String REVOKE_FAMILY = """
            UPDATE agent_token SET revoked_at = :now
             WHERE family = :family AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > :now)
            """;
    private static final String REVOKE_AGENT = """
            UPDATE agent_token SET revoked_at = :now WHERE agent_id = :agent AND kind <> 'bootstrap' AND revoked_at IS NULL
            """;

    private final JdbcClient jdbc;
    private final SecurityProperties properties;
    private final Clock clock;

    TokenStore(JdbcClient jdbc, SecurityProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    public Optional<Caller> authenticate(String token) {
        if (token.isEmpty() || token.length() > SecurityProperties.MAX_ADMIN_TOKEN) {
            return Optional.empty();
        }
        return jdbc.sql(AUTHENTICATE)
                .param("hash", hash(token))
                .param("now", Timestamp.from(clock.instant()))
                .query((rs, i) -> new Caller(rs.getObject("id", UUID.class), rs.getString("name"),
                        new HashSet<>(AgentRepository.scopes(rs.getArray("scopes"))), (Integer) rs.getObject("api_calls_per_hour")))
                .optional();
    }

    @Override
    public Map<String, Set<String>> scopesOf(Collection<String> tokens) {
        Map<String, String> byHash = new HashMap<>();
        for (String token : tokens) {
            if (!token.isEmpty() && token.length() <= SecurityProperties.MAX_ADMIN_TOKEN) {
                byHash.put(hash(token), token);
            }
        }
        if (byHash.isEmpty()) {
            return Map.of();
        }
        Map<String, Set<String>> live = new HashMap<>();
        jdbc.sql(LIVE_SCOPES)
                .param("hashes", byHash.keySet())
                .param("now", Timestamp.from(clock.instant()))
                .query(rs -> {
                    live.put(byHash.get(rs.getString("token_hash")), Set.copyOf(AgentRepository.scopes(rs.getArray("scopes"))));
                });
        return live;
    }

    /** Issues a new access + refresh pair for an agent: a new session, a family of its own. */
    @Transactional
    IssuedTokens issue(UUID agentId) {
        return issue(agentId, UUID.randomUUID(), clock.instant());
    }

    private IssuedTokens issue(UUID agentId, UUID family, Instant now) {
        String access = "ord_at_" + randomToken();
        String refresh = "ord_rt_" + randomToken();
        store(access, agentId, "access", family, now.plusSeconds(properties.accessTokenTtlSeconds()));
        store(refresh, agentId, "refresh", family, now.plusSeconds(properties.refreshTokenTtlSeconds()));
        return new IssuedTokens(access, refresh, properties.accessTokenTtlSeconds());
    }

    /**
     * Trades a live refresh token for the next pair of its family, retiring the pair it belonged to, so a
     * refresh token works once. A used one presented again revokes every live token of its family.
     */
    @Transactional
    Refresh refresh(String refreshToken) {
        Instant now = clock.instant();
        Optional<RefreshRow> row = jdbc.sql(REFRESH_TOKEN)
                .param("hash", hash(refreshToken))
                .param("now", Timestamp.from(now))
                .query((rs, i) -> new RefreshRow(rs.getObject("agent_id", UUID.class), rs.getObject("family", UUID.class),
                        rs.getBoolean("used"), rs.getBoolean("unexpired")))
                .optional();
        if (row.isEmpty() || !row.get().used() && !row.get().unexpired()) {
            return new Refresh.Refused();
        }
        RefreshRow r = row.get();
        int revoked = jdbc.sql(REVOKE_FAMILY).param("family", r.family()).param("now", Timestamp.from(now)).update();
        if (r.used()) {
            // Revoked already: refreshed before (or revoked with its session). Whatever of the family is still
            // live descends from it, and is now in the hands of whoever refreshed first.
            return new Refresh.Reused(r.agentId(), r.family(), revoked);
        }
        return new Refresh.Issued(issue(r.agentId(), r.family(), now));
    }

    /** What a refresh came to: new tokens, a replay of a used refresh token, or an unknown or expired one. */
    sealed interface Refresh {
        record Issued(IssuedTokens tokens) implements Refresh {
        }

        /** {@code revoked}: the live tokens of the family this replay revoked (0 when it had none left). */
        record Reused(UUID agentId, UUID family, int revoked) implements Refresh {
        }

        record Refused() implements Refresh {
        }
    }

    private record RefreshRow(UUID agentId, UUID family, boolean used, boolean unexpired) {
    }

    /**
     * Revokes the token and the rest of its session (family). Unknown tokens, sessions with nothing live left
     * and the system admin token revoke nothing (RFC 7009: the caller is not told which); the admin token is
     * operator configuration (see {@link AdminBootstrap}).
     */
    @Transactional
    Revocation revoke(String token) {
        Optional<TokenRow> row = jdbc.sql(FAMILY_OF).param("hash", hash(token))
                .query((rs, i) -> new TokenRow(rs.getObject("agent_id", UUID.class), rs.getObject("family", UUID.class),
                        rs.getString("kind"))).optional();
        if (row.isEmpty()) {
            return new Revocation.Nothing();
        }
        if ("bootstrap".equals(row.get().kind())) {
            return new Revocation.AdminToken();
        }
        int revoked = jdbc.sql(REVOKE_FAMILY).param("family", row.get().family()).param("now", Timestamp.from(clock.instant())).update();
        return revoked == 0 ? new Revocation.Nothing() : new Revocation.Revoked(row.get().agentId(), row.get().family(), revoked);
    }

    private record TokenRow(UUID agentId, UUID family, String kind) {
    }

    /** What a revocation did: ended a session's live tokens, or nothing (an unknown or dead token, the admin token). */
    sealed interface Revocation {
        record Revoked(UUID agentId, UUID family, int tokens) implements Revocation {
        }

        /** Unknown, or its session has no live token left. */
        record Nothing() implements Revocation {
        }

        /** The system admin token (or a former one): never revoked through the API. */
        record AdminToken() implements Revocation {
        }
    }

    /** Revokes every token an agent's secrets issued (credential rotation, agent deletion); never the admin token. */
    void revokeAll(UUID agentId) {
        jdbc.sql(REVOKE_AGENT).param("agent", agentId).param("now", Timestamp.from(clock.instant())).update();
    }

    void storeBootstrap(String token, UUID agentId) {
        store(token, agentId, "bootstrap", UUID.randomUUID(), null);
    }

    private void store(String token, UUID agentId, String kind, UUID family, Instant expiresAt) {
        jdbc.sql(INSERT)
                .param("hash", hash(token))
                .param("agent", agentId)
                .param("kind", kind)
                .param("family", family)
                .param("expiresAt", expiresAt == null ? null : Timestamp.from(expiresAt))
                .update();
    }

    static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String hash(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    record IssuedTokens(String accessToken, String refreshToken, int expiresIn) {
    }
}
