package io.ordinaut.config;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import liquibase.exception.LiquibaseException;
import liquibase.integration.spring.SpringLiquibase;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Runs the Liquibase changelogs under db/ at start-up, one node at a time.
 *
 * <p>Liquibase's own lock table cannot protect its first creation: two nodes starting together on an
 * empty database race to create DATABASECHANGELOG and one fails. A PostgreSQL advisory lock around
 * the whole migration serialises them; the second node then finds everything applied.
 */
@Configuration(proxyBeanMethods = false)
class MigrationConfiguration {

    @Bean
    SpringLiquibase liquibase(DataSource dataSource,
                              @Value("${spring.liquibase.change-log:classpath:db/changelog.yaml}") String changeLog) {
        SpringLiquibase liquibase = new AdvisoryLockedLiquibase();
        liquibase.setDataSource(dataSource);
        liquibase.setChangeLog(changeLog);
        return liquibase;
    }

    static final class AdvisoryLockedLiquibase extends SpringLiquibase {

        /** Arbitrary, fixed: the advisory lock key every Ordinaut node uses for migrations. */
        private static final long MIGRATION_LOCK = 7_210_338_471L;

        @Override
        public void afterPropertiesSet() throws LiquibaseException {
            try (Connection connection = getDataSource().getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
                try {
                    super.afterPropertiesSet();
                } finally {
                    statement.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
                }
            } catch (SQLException e) {
                throw new LiquibaseException("Could not take the migration lock: " + e.getMessage(), e);
            }
        }
    }
}
