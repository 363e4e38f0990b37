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

import io.ordinaut.BackgroundLoop;
import io.ordinaut.Threads;

/**
 * Holds one connection that LISTENs on the queue channels: a run enqueued (or re-queued) by any node
 * wakes this node's claim loop within milliseconds instead of at the next poll, and a cancel request
 * reaches the node running the run.
 */
final class QueueListener implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(QueueListener.class);
    private static final int WAIT_MS = 250;
    private static final long RETRY_MS = 1000;

    private final DataSource dataSource;
    private final Wakeup wakeup;
    private final Consumer<UUID> cancel;
    private final BackgroundLoop guard = new BackgroundLoop("ordinaut-queue-listener");
    private volatile boolean running = true;

    QueueListener(DataSource dataSource, Wakeup wakeup, Consumer<UUID> cancel) {
        this.dataSource = dataSource;
        this.wakeup = wakeup;
        this.cancel = cancel;
    }

    void stop() {
        running = false;
    }

    /** How many rounds failed other than by a lost connection (each was logged and retried after a pause). */
    long failures() {
        return guard.failures();
    }

    @Override
    public void run() {
        while (running) {
            try {
                if (!guard.round(this::listen)) {
                    Threads.sleepQuietly(RETRY_MS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Listens on one connection until it breaks or the listener stops. */
    private void listen() {
        try (Connection connection = dataSource.getConnection()) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("LISTEN " + Notifications.WORK_CHANNEL);
                statement.execute("LISTEN " + Notifications.CANCEL_CHANNEL);
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
                    if (Notifications.CANCEL_CHANNEL.equals(n.getName())) {
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
                Threads.sleepQuietly(RETRY_MS);
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
}
