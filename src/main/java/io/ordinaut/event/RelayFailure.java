package io.ordinaut.event;

import java.sql.SQLException;
import java.util.regex.Pattern;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
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

    /** A qualified class name as a cause's toString() starts its message ("io.netty…ConnectException: "). */
    private static final Pattern CLASS_NAME = Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][\\w$]*:\\s*");

    /**
     * What failed, in words for /health and the log: the message of the first Redis, JDBC or transaction
     * exception in the cause chain, without Java class names (an operator reads it, not a developer).
     */
    static String describe(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof RedisCommandTimeoutException) {
                return "Redis did not answer in time";
            }
            if (e instanceof RedisConnectionException) {
                // a stalled Redis accepts the connection and never answers its handshake: not "refused"
                return timedOut(e.getCause()) ? "Redis did not answer in time (connecting)"
                        : "cannot connect to Redis: " + words(e, "no connection");
            }
            if (e instanceof RedisCommandExecutionException) {
                return "Redis refused the command: " + words(e, "an error reply");
            }
            if (e instanceof RedisException) {
                return words(e, "Redis failed");
            }
            if (e instanceof DataAccessException || e instanceof TransactionException || e instanceof SQLException) {
                return "the database failed: " + words(e, "no connection");
            }
        }
        return words(failure, "unexpected failure");
    }

    private static boolean timedOut(Throwable cause) {
        for (Throwable e = cause; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof RedisCommandTimeoutException || e instanceof java.util.concurrent.TimeoutException
                    || e.getClass().getSimpleName().contains("Timeout")) {
                return true;
            }
        }
        return false;
    }

    private static String words(Throwable e, String fallback) {
        // Lettuce prints an address as InetSocketAddress does: "127.0.0.1/<unresolved>:6379"
        String message = e.getMessage() == null ? "" : CLASS_NAME.matcher(e.getMessage()).replaceAll("").replace("/<unresolved>", "").strip();
        return message.isEmpty() ? fallback : message;
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
