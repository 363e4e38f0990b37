package io.ordinaut.event;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Retention of the outbox: delivered rows older than ordinaut.events.retention go, in batches. With Redis,
 * delivered means relayed; without, sequenced (SSE readers resume from what is left). Webhook deliveries
 * that ended go after the same time.
 */
final class PruneOutbox implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(PruneOutbox.class);
    private static final int BATCH = 5000;

    private static final String PRUNE = """
            DELETE FROM outbox WHERE id IN (
                SELECT id FROM outbox
                 WHERE seq IS NOT NULL AND created_at < :cutoff AND (relayed_at IS NOT NULL OR NOT :redis)
                 ORDER BY id LIMIT :batch)
            """;
    private static final String PRUNE_DELIVERIES = """
            DELETE FROM webhook_delivery WHERE status <> 'pending' AND created_at < :cutoff
            """;

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Duration retention;
    private final boolean redis;

    PruneOutbox(JdbcClient jdbc, Clock clock, Duration retention, boolean redis) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.retention = retention;
        this.redis = redis;
    }

    @Override
    public void run() {
        Timestamp cutoff = Timestamp.from(clock.instant().minus(retention));
        long total = 0;
        int n;
        do {
            n = jdbc.sql(PRUNE).param("cutoff", cutoff).param("redis", redis).param("batch", BATCH).update();
            total += n;
        } while (n == BATCH);
        int deliveries = jdbc.sql(PRUNE_DELIVERIES).param("cutoff", cutoff).update();
        if (total > 0 || deliveries > 0) {
            log.info("Outbox retention: deleted {} delivered rows and {} ended webhook deliveries older than {}",
                    total, deliveries, retention);
        }
    }
}
