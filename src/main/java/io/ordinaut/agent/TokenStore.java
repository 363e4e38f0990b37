package io.ordinaut.agent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
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
 */
@Component
class TokenStore implements Authenticator {

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
    private static final String LIVE_REFRESH = """
            SELECT agent_id, family FROM agent_token
             WHERE token_hash = :hash AND kind = 'refresh' AND revoked_at IS NULL AND expires_at > :now
             FOR UPDATE
            """;
    private static final String FAMILY_OF = "SELECT family FROM agent_token WHERE token_hash = :hash";
    private static final String REVOKE_FAMILY = "UPDATE agent_token SET revoked_at = :now WHERE family = :family AND revoked_at IS NULL";
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
        if (token.isEmpty() || token.length() > 200) {
            return Optional.empty();
        }
        return jdbc.sql(AUTHENTICATE)
                .param("hash", hash(token))
                .param("now", Timestamp.from(clock.instant()))
                .query((rs, i) -> new Caller(rs.getObject("id", UUID.class), rs.getString("name"),
                        new HashSet<>(AgentRepository.scopes(rs.getArray("scopes"))), (Integer) rs.getObject("api_calls_per_hour")))
                .optional();
    }

    /** Issues a new access + refresh pair for an agent. */
    @Transactional
    IssuedTokens issue(UUID agentId) {
        Instant now = clock.instant();
        UUID family = UUID.randomUUID();
        String access = "ord_at_" + randomToken();
        String refresh = "ord_rt_" + randomToken();
        store(access, agentId, "access", family, now.plusSeconds(properties.accessTokenTtlSeconds()));
        store(refresh, agentId, "refresh", family, now.plusSeconds(properties.refreshTokenTtlSeconds()));
        return new IssuedTokens(access, refresh, properties.accessTokenTtlSeconds());
    }

    /** Trades a live refresh token for a new pair; the old family is revoked, so a refresh token works once. */
    @Transactional
    Optional<IssuedTokens> refresh(String refreshToken) {
        Instant now = clock.instant();
        return jdbc.sql(LIVE_REFRESH)
                .param("hash", hash(refreshToken))
                .param("now", Timestamp.from(now))
                .query((rs, i) -> new Object[] {rs.getObject("agent_id", UUID.class), rs.getObject("family", UUID.class)})
                .optional()
                .map(row -> {
                    jdbc.sql(REVOKE_FAMILY).param("family", row[1]).param("now", Timestamp.from(now)).update();
                    return issue((UUID) row[0]);
                });
    }

    /** Revokes the token and the others issued with it; unknown tokens are ignored (RFC 7009). */
    @Transactional
    boolean revoke(String token) {
        Optional<UUID> family = jdbc.sql(FAMILY_OF).param("hash", hash(token)).query(UUID.class).optional();
        family.ifPresent(f -> jdbc.sql(REVOKE_FAMILY).param("family", f).param("now", Timestamp.from(clock.instant())).update());
        return family.isPresent();
    }

    /** Revokes every token an agent holds (credential rotation, agent deletion). */
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
