package io.ordinaut.queue;

import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The queue's NOTIFY channels, in one place: every node's {@link QueueListener} LISTENs on both. A
 * notification sent inside a transaction is delivered when it commits (and not at all on rollback), so
 * callers send it in the transaction whose change it announces. A missed one costs latency, not
 * correctness: claim loops poll anyway, and the lease renewal finds cancel requests.
 */
final class Notifications {

    /** Due work was queued (or re-queued, or released): executors claim now instead of at the next poll. */
    static final String WORK_CHANNEL = "ordinaut_due_work";
    /** Payload: the id of a run someone asked to cancel, for the node running it. */
    static final String CANCEL_CHANNEL = "ordinaut_run_cancel";

    private static final String NOTIFY = "SELECT pg_notify(:channel, :payload)";

    private final JdbcClient jdbc;

    Notifications(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void wakeExecutors() {
        send(WORK_CHANNEL, "");
    }

    void cancelRun(UUID runId) {
        send(CANCEL_CHANNEL, runId.toString());
    }

    private void send(String channel, String payload) {
        jdbc.sql(NOTIFY).param("channel", channel).param("payload", payload).query().listOfRows();
    }
}
