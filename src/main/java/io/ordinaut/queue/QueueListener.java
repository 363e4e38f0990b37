package io.ordinaut.queue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one connection that LISTENs on the queue channel, so a run enqueued by any node wakes this
 * node's claim loop within milliseconds instead of at the next poll.
 */
final class QueueListener implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(QueueListener.class);
    private static final int WAIT_MS = 500;

    private final DataSource dataSource;
    private final Wakeup wakeup;
    private volatile boolean running = true;

    QueueListener(DataSource dataSource, Wakeup wakeup) {
        this.dataSource = dataSource;
        this.wakeup = wakeup;
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
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                // A notification may have been missed while (re)connecting: look once.
                wakeup.signal();
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(WAIT_MS);
                    if (notifications != null && notifications.length > 0) {
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

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
