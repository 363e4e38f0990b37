package io.ordinaut.queue;

import java.sql.SQLException;

import tools.jackson.core.JacksonException;

/**
 * Tells a write that failed because of what it was asked to store from one that failed because the
 * database could not be reached: the first fails the same way every time, the second passes once the
 * database is back.
 */
final class UnstorableOutcome {

    private UnstorableOutcome() {
    }

    /** Why the write can never succeed, or null when retrying may help (an outage, a lost connection …). */
    static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof JacksonException e) {
                // the batch could not be turned into JSON: an output that holds itself, or nests too deeply
                return "its output cannot be written as JSON: " + e.getOriginalMessage();
            }
            if (t instanceof SQLException e && e.getSQLState() != null
                    // 22: data exception (e.g. a NUL character jsonb refuses); 54: program limit exceeded
                    // (a value too large or too deep for the database)
                    && (e.getSQLState().startsWith("22") || e.getSQLState().startsWith("54"))) {
                return "the database refused it: " + firstLine(e.getMessage());
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
