package io.ordinaut.trigger;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import javax.sql.DataSource;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The node's real pool, except that the next N connections asked for on one thread fail as they do
 * when the database is down longer than the pool's connection timeout. Other threads are unaffected.
 */
final class FaultyConnections extends DelegatingDataSource {

    private static final ThreadLocal<Integer> FAILURES = ThreadLocal.withInitial(() -> 0);

    FaultyConnections(DataSource target) {
        super(target);
    }

    /** The next {@code n} connections taken on the calling thread fail. */
    static void failNext(int n) {
        FAILURES.set(n);
    }

    static int remaining() {
        return FAILURES.get();
    }

    @Override
    public Connection getConnection() throws SQLException {
        failIfArmed();
        return super.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        failIfArmed();
        return super.getConnection(username, password);
    }

    private static void failIfArmed() throws SQLException {
        int left = FAILURES.get();
        if (left > 0) {
            FAILURES.set(left - 1);
            throw new SQLTransientConnectionException("injected: connection is not available, request timed out");
        }
    }

    @TestConfiguration
    static class Config {

        @Bean
        static BeanPostProcessor faultyConnections() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    return bean instanceof DataSource ds && "dataSource".equals(name) ? new FaultyConnections(ds) : bean;
                }
            };
        }
    }
}
