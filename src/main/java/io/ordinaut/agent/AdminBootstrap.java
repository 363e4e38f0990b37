package io.ordinaut.agent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import io.ordinaut.config.SecurityProperties;

/**
 * Makes sure the system admin agent can be reached. With ORDINAUT_ADMIN_TOKEN set, that token is its
 * token (and any other bootstrap token is revoked). Without it, the first node of a cluster generates
 * one, stores only its hash and prints it once; later starts print nothing.
 * <p>
 * The admin token is operator configuration, not a session: the API does not revoke it (POST
 * /agents/auth/revoke answers it as any unknown token and revokes nothing, rotating the system agent's
 * credentials leaves it valid). To replace it, set a new ORDINAUT_ADMIN_TOKEN and restart; a configured token revoked in the database is restored here.
 */
@Component
class AdminBootstrap implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);
    private static final long BOOTSTRAP_LOCK = 7_210_338_472L;

    private static final String LOCK = "SELECT pg_advisory_xact_lock(" + BOOTSTRAP_LOCK + ")";
    private static final String LIVE_BOOTSTRAP = """
            SELECT EXISTS (SELECT 1 FROM agent_token WHERE kind = 'bootstrap' AND revoked_at IS NULL)
            """;
    private static final String REVOKE_OTHERS = """
            UPDATE agent_token SET revoked_at = now() WHERE kind = 'bootstrap' AND token_hash <> :hash AND revoked_at IS NULL
            """;
    private static final String UNREVOKE = "UPDATE agent_token SET revoked_at = NULL WHERE token_hash = :hash AND kind = 'bootstrap'";

    private final JdbcClient jdbc;
    private final TokenStore tokens;
    private final SecurityProperties properties;

    AdminBootstrap(JdbcClient jdbc, TokenStore tokens, SecurityProperties properties) {
        this.jdbc = jdbc;
        this.tokens = tokens;
        this.properties = properties;
    }

    @Override
    @Transactional
    public void run(ApplicationArguments args) {
        jdbc.sql(LOCK).query().listOfRows();
        if (properties.adminToken() != null) {
            String hash = TokenStore.hash(properties.adminToken());
            tokens.storeBootstrap(properties.adminToken(), Agent.SYSTEM);
            jdbc.sql(UNREVOKE).param("hash", hash).update();
            jdbc.sql(REVOKE_OTHERS).param("hash", hash).update();
            log.info("System admin token taken from ORDINAUT_ADMIN_TOKEN");
            return;
        }
        if (jdbc.sql(LIVE_BOOTSTRAP).query(Boolean.class).single()) {
            return;
        }
        String token = "ord_admin_" + TokenStore.randomToken();
        tokens.storeBootstrap(token, Agent.SYSTEM);
        // The one deliberate exception to "no secrets in logs": there is no other way to hand it over.
        log.warn("Generated the system admin token (shown once, only its hash is stored): {}  "
                + "Set ORDINAUT_ADMIN_TOKEN to choose your own.", token);
    }
}
