package io.ordinaut.event;

import java.sql.SQLException;

import io.lettuce.core.RedisException;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionException;

/**
 * Which side a failed relay round failed on. A round reads and marks rows in PostgreSQL and appends them to
 * Redis, so an outage of either stops it; the warning must blame the one that failed.
 */
enum RelayFailure {

    DATABASE("Outbox relay failed: PostgreSQL is unreachable; the outbox is relayed to Redis once the database answers again"),
    REDIS("Outbox relay to Redis failed, the outbox keeps growing until Redis is back"),
    OTHER("Outbox relay failed; it is retried every round");

    private final String warning;

    RelayFailure(String warning) {
        this.warning = warning;
    }

    String warning() {
        return warning;
    }

    /** The side named by the first Redis or JDBC/transaction exception in the cause chain. */
    static RelayFailure of(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof RedisException) {
                return REDIS;
            }
            if (e instanceof DataAccessException || e instanceof TransactionException || e instanceof SQLException) {
                return DATABASE;
            }
        }
        return OTHER;
    }
}
