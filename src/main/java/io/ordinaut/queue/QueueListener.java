package io.ordinaut.queue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.function.Consumer;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one connection that LISTENs on the queue channels: a run enqueued (or re-queued) by any node
 * wakes this node's claim loop within milliseconds instead of at the next poll, and a cancel request
 * reaches the node running the run.
 */
final class QueueListener implements Runnable {

    static final String CANCEL_CHANNEL = "ordinaut_run_cancel";

    private static final Logger log = LoggerFactory.getLogger(QueueListener.class);
    private static final int WAIT_MS = 250;

    private final DataSource dataSource;
    private final Wakeup wakeup;
    private final Consumer<UUID> cancel;
    private volatile boolean running = true;

    QueueListener(DataSource dataSource, Wakeup wakeup, Consumer<UUID> cancel) {
        this.dataSource = dataSource;
        this.wakeup = wakeup;
        this.cancel = cancel;
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + DueWorkQueue.CHANNEL);
                    statement.execute("LISTEN " + CANCEL_CHANNEL);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                // A notification may have been missed while (re)connecting: look once.
                wakeup.signal();
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(WAIT_MS);
                    if (notifications == null) {
                        continue;
                    }
                    boolean work = false;
                    for (PGNotification n : notifications) {
                        if (CANCEL_CHANNEL.equals(n.getName())) {
                            cancelRequested(n.getParameter());
                        } else {
                            work = true;
                        }
                    }
                    if (work) {
                        wakeup.signal();
                    }
                }
            } catch (SQLException e) {
                if (running) {
                    log.warn("Queue listener lost its connection ({}); executors fall back to polling until it reconnects", e.getMessage());
                    sleepQuietly(1000);
                }
            } catch (RuntimeException e) {
                log.error("Queue listener failed; retrying", e);
                sleepQuietly(1000);
            }
        }
    }

    private void cancelRequested(String payload) {
        try {
            cancel.accept(UUID.fromString(payload));
        } catch (IllegalArgumentException e) {
            log.debug("Ignoring cancel notification with payload {}", payload);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
