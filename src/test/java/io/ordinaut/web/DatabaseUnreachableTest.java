package io.ordinaut.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Which failures are the database being unreachable (a 503 and one WARN line) rather than a bug (a 500). The
 * outage test meets each only when PostgreSQL stops at the right moment; here each is met for certain.
 */
class DatabaseUnreachableTest {

    @Test
    void a_rollback_on_a_connection_the_pool_has_closed_is_the_database_unreachable() {
        // The database stopped during the transaction: Hikari closed the broken connection, so the rollback meets
        // its closed proxy ("Connection is closed", no SQLState), and Spring keeps the statement's failure aside.
        TransactionSystemException rollback = new TransactionSystemException("JDBC rollback failed",
                new SQLException("Connection is closed"));
        assertThat(ApiExceptionHandler.databaseUnreachable(rollback)).isInstanceOf(SQLException.class);

        TransactionSystemException masking = new TransactionSystemException("JDBC rollback failed", new SQLException("odd"));
        masking.initApplicationException(new DataAccessResourceFailureException("terminating connection",
                new SQLException("FATAL: terminating connection due to administrator command", "57P01")));
        assertThat(ApiExceptionHandler.databaseUnreachable(masking)).isInstanceOf(DataAccessResourceFailureException.class);
    }

    @Test
    void connection_exceptions_and_postgresql_shutting_down_are_unreachable_and_other_sql_errors_are_not() {
        for (String state : new String[] {"08001", "08006", "57P01", "57P02", "57P03"}) {
            assertThat(ApiExceptionHandler.databaseUnreachable(new RuntimeException(new SQLException("gone", state)))).as(state).isNotNull();
        }
        assertThat(ApiExceptionHandler.databaseUnreachable(new SQLTransientConnectionException("pool timeout"))).isNotNull();
        assertThat(ApiExceptionHandler.databaseUnreachable(new DataIntegrityViolationException("dup",
                new SQLException("duplicate key", "23505")))).isNull();
        assertThat(ApiExceptionHandler.databaseUnreachable(new RuntimeException(new SQLException("no state")))).isNull();
        TransactionSystemException unrelated = new TransactionSystemException("commit failed", new SQLException("odd"));
        unrelated.initApplicationException(new IllegalStateException("a bug"));
        assertThat(ApiExceptionHandler.databaseUnreachable(unrelated)).isNull();
        assertThat(ApiExceptionHandler.databaseUnreachable(new TransactionSystemException("commit failed",
                new SQLException("serialization", "40001")))).isNull();
    }
}
