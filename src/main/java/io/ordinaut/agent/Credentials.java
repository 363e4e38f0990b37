package io.ordinaut.agent;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import io.ordinaut.config.SecurityProperties;

/**
 * Agent secrets: generated here, shown once, stored only as BCrypt hashes. Repeated wrong secrets from one
 * client address lock the credential for that address for a while that doubles with each further failure,
 * so guessing is slow; other addresses, the agent's own included, are not locked out by them (agent ids are
 * no secret, so a lockout per agent would let anyone lock any agent out). Failures are counted for the agent
 * id presented whether or not that agent exists or has a secret, through the same statements, so neither
 * the answers nor the lockout tell which ids exist.
 */
@Component
class Credentials {

    private static final BCryptPasswordEncoder BCRYPT = new BCryptPasswordEncoder(10);
    /** Compared against when the agent has no credential, so timing does not reveal which agents exist. */
    private static final String DUMMY_HASH = BCRYPT.encode("no-such-credential");
    private static final Duration MAX_LOCKOUT = Duration.ofMinutes(15);

    private static final String UPSERT = """
            INSERT INTO agent_credential (agent_id, secret_hash, created_at)
            VALUES (:agent, :hash, :now)
            ON CONFLICT (agent_id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, created_at = EXCLUDED.created_at
            """;
    private static final String FORGET_FAILURES = "DELETE FROM credential_failure WHERE agent_id = :agent";
    private static final String FIND = "SELECT secret_hash FROM agent_credential WHERE agent_id = :agent";
    /** The row of this agent and address, created if need be so it can be locked: concurrent guesses from one address queue. */
    private static final String ENSURE_FAILURES = """
            INSERT INTO credential_failure (agent_id, client_address, last_failed_at) VALUES (:agent, :address, :now)
            ON CONFLICT (agent_id, client_address) DO NOTHING
            """;
    private static final String FAILURES = """
            SELECT failed_attempts, locked_until FROM credential_failure WHERE agent_id = :agent AND client_address = :address
               FOR UPDATE
            """;
    /** An upsert: a right secret from the same address may have deleted the row since it was read. */
    private static final String FAILED = """
            INSERT INTO credential_failure (agent_id, client_address, failed_attempts, locked_until, last_failed_at)
            VALUES (:agent, :address, :attempts, :lockedUntil, :now)
            ON CONFLICT (agent_id, client_address) DO UPDATE
               SET failed_attempts = EXCLUDED.failed_attempts, locked_until = EXCLUDED.locked_until, last_failed_at = EXCLUDED.last_failed_at
            """;
    private static final String SUCCEEDED = "DELETE FROM credential_failure WHERE agent_id = :agent AND client_address = :address";

    private final JdbcClient jdbc;
    private final SecurityProperties properties;
    private final Clock clock;

    Credentials(JdbcClient jdbc, SecurityProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.clock = clock;
    }

    /** Creates or replaces the agent's secret and returns it; this is the only time it is visible. */
    @Transactional
    String rotate(UUID agentId) {
        String secret = "ord_sk_" + TokenStore.randomToken();
        jdbc.sql(UPSERT).param("agent", agentId).param("hash", BCRYPT.encode(secret)).param("now", Timestamp.from(clock.instant())).update();
        // guesses at the old secret say nothing about the new one
        jdbc.sql(FORGET_FAILURES).param("agent", agentId).update();
        return secret;
    }

    /**
     * Checks a secret sent from {@code address}; {@link Verdict#locked} carries how long that address must wait.
     * An agent id that is no agent's, or an agent without a secret, takes the same path — its failures counted,
     * its lockout kept — with BCrypt run against a dummy hash, so it answers as an existing id with a wrong
     * secret does, in the same time. Rows idle for a day are deleted by the retention duty (audit.PruneRecords).
     */
    @Transactional(noRollbackFor = RuntimeException.class)
    Verdict verify(UUID agentId, String secret, String address) {
        Instant now = clock.instant();
        Optional<String> hash = jdbc.sql(FIND).param("agent", agentId).query(String.class).optional();
        jdbc.sql(ENSURE_FAILURES).param("agent", agentId).param("address", address).param("now", Timestamp.from(now)).update();
        Stored stored = jdbc.sql(FAILURES).param("agent", agentId).param("address", address)
                .query((rs, i) -> new Stored(rs.getInt("failed_attempts"),
                        rs.getTimestamp("locked_until") == null ? null : rs.getTimestamp("locked_until").toInstant()))
                .optional()
                // deleted by a right secret from this address that committed while this call waited for the row
                .orElse(new Stored(0, null));
        if (stored.lockedUntil() != null && stored.lockedUntil().isAfter(now)) {
            return Verdict.locked(Duration.between(now, stored.lockedUntil()));
        }
        // Both sides run BCrypt, so the time taken does not tell an unknown id from a wrong secret either.
        boolean matches = BCRYPT.matches(secret, hash.orElse(DUMMY_HASH)) && hash.isPresent();
        if (matches) {
            jdbc.sql(SUCCEEDED).param("agent", agentId).param("address", address).update();
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
                .param("now", Timestamp.from(now)).param("agent", agentId).param("address", address).update();
        return Verdict.wrong();
    }

    private record Stored(int failedAttempts, Instant lockedUntil) {
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
