package io.ordinaut.event;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Tells an inbound entry the database refused for what it holds — it fails the same way on every delivery,
 * so it belongs in the dead-letter stream — from one that failed because the database could not be reached
 * or was busy, which passes once the database is back.
 */
final class PublishFailures {

    private static final String HIKARI_CLOSED = "Connection is closed";

    private PublishFailures() {
    }

    /**
     * Why the database refused the entry's data, or null when the failure is not about the data. SQLState
     * class 22 (data exception: a NUL character text refuses, a value out of range), 23 (integrity
     * constraint) and 54 (program limit exceeded: a value too large or too deep).
     */
    static String refusedData(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLException e && e.getSQLState() != null
                    && (e.getSQLState().startsWith("22") || e.getSQLState().startsWith("23") || e.getSQLState().startsWith("54"))) {
                return "the database refused it: " + firstLine(e.getMessage());
            }
        }
        return null;
    }

    /**
     * Whether the failure may pass on its own: the database unreachable, shutting down, out of connections or
     * resources, or a transaction that lost a race (serialization failure, deadlock). Such an entry is never
     * dead-lettered, however often it was delivered.
     */
    static boolean mayPass(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof DataAccessResourceFailureException || t instanceof TransientDataAccessException
                    || t instanceof CannotCreateTransactionException || t instanceof TransactionSystemException
                    || t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException e) {
                String state = e.getSQLState();
                // 08 connection, 40 transaction rollback, 53 insufficient resources, 57 operator intervention
                if (state == null ? HIKARI_CLOSED.equals(e.getMessage())
                        : state.startsWith("08") || state.startsWith("40") || state.startsWith("53") || state.startsWith("57")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The first line of the deepest cause's message: what PostgreSQL said, without the SQL Spring wraps it in. */
    static String innermostMessage(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return firstLine(t.getMessage() == null ? t.toString() : t.getMessage());
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
