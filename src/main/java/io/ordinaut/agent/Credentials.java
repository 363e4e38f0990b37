package io.ordinaut.agent;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import io.ordinaut.config.SecurityProperties;

/**
 * Agent secrets: generated here, shown once, stored only as BCrypt hashes. Repeated wrong secrets lock
 * the credential for a while that doubles with each further failure, so guessing is slow.
 */
@Component
class Credentials {

    private static final BCryptPasswordEncoder BCRYPT = new BCryptPasswordEncoder(10);
    /** Compared against when the agent has no credential, so timing does not reveal which agents exist. */
    private static final String DUMMY_HASH = BCRYPT.encode("no-such-credential");
    private static final Duration MAX_LOCKOUT = Duration.ofMinutes(15);

    private static final String UPSERT = """
            INSERT INTO agent_credential (agent_id, secret_hash, failed_attempts, locked_until, created_at)
            VALUES (:agent, :hash, 0, NULL, :now)
            ON CONFLICT (agent_id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, failed_attempts = 0,
                   locked_until = NULL, created_at = EXCLUDED.created_at
            """;
    private static final String FIND = "SELECT secret_hash, failed_attempts, locked_until FROM agent_credential WHERE agent_id = :agent FOR UPDATE";
    private static final String FAILED = "UPDATE agent_credential SET failed_attempts = :attempts, locked_until = :lockedUntil WHERE agent_id = :agent";
    private static final String SUCCEEDED = "UPDATE agent_credential SET failed_attempts = 0, locked_until = NULL WHERE agent_id = :agent";

    private final JdbcClient jdbc;
    private final SecurityProperties properties;
    private final Clock clock;

    Credentials(JdbcClient jdbc, SecurityProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.clock = clock;
    }

    /** Creates or replaces the agent's secret and returns it; this is the only time it is visible. */
    String rotate(UUID agentId) {
        String secret = "ord_sk_" + TokenStore.randomToken();
        jdbc.sql(UPSERT).param("agent", agentId).param("hash", BCRYPT.encode(secret)).param("now", Timestamp.from(clock.instant())).update();
        return secret;
    }

    /** Checks a secret; {@link Verdict#LOCKED} carries how long to wait. */
    @Transactional(noRollbackFor = RuntimeException.class)
    Verdict verify(UUID agentId, String secret) {
        Instant now = clock.instant();
        var row = jdbc.sql(FIND).param("agent", agentId).query((rs, i) -> new Stored(rs.getString("secret_hash"),
                rs.getInt("failed_attempts"), rs.getTimestamp("locked_until") == null ? null : rs.getTimestamp("locked_until").toInstant()))
                .optional();
        if (row.isEmpty()) {
            BCRYPT.matches(secret, DUMMY_HASH);
            return Verdict.wrong();
        }
        Stored stored = row.get();
        if (stored.lockedUntil() != null && stored.lockedUntil().isAfter(now)) {
            return Verdict.locked(Duration.between(now, stored.lockedUntil()));
        }
        if (BCRYPT.matches(secret, stored.hash())) {
            if (stored.failedAttempts() > 0) {
                jdbc.sql(SUCCEEDED).param("agent", agentId).update();
            }
            return Verdict.ok();
        }
        int attempts = stored.failedAttempts() + 1;
        Instant lockedUntil = null;
        if (attempts >= properties.lockoutThreshold()) {
            long factor = 1L << Math.min(20, attempts - properties.lockoutThreshold());
            Duration lock = Duration.ofSeconds(properties.lockoutSeconds()).multipliedBy(factor);
            lockedUntil = now.plus(lock.compareTo(MAX_LOCKOUT) > 0 ? MAX_LOCKOUT : lock);
        }
        jdbc.sql(FAILED).param("attempts", attempts).param("lockedUntil", lockedUntil == null ? null : Timestamp.from(lockedUntil))
                .param("agent", agentId).update();
        return Verdict.wrong();
    }

    private record Stored(String hash, int failedAttempts, Instant lockedUntil) {
    }

    record Verdict(boolean accepted, Duration lockedFor) {
        static Verdict ok() {
            return new Verdict(true, null);
        }

        static Verdict wrong() {
            return new Verdict(false, null);
        }

        static Verdict locked(Duration d) {
            return new Verdict(false, d);
        }
    }
}
