package io.ordinaut.event;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Gives committed outbox rows their delivery positions, one node at a time: a row of n entries gets the
 * next n positions, {@code seq … last_seq}. Each round is a transaction holding a transaction-scoped advisory lock, so rounds of different nodes never overlap and
 * another node takes over at its next round when one dies. A row inserted with a lower id but committed
 * later simply gets a later seq, so readers that resume after a seq (SSE, the relay, webhooks) never
 * skip a row — which ordering by id alone could not promise.
 */
final class SequenceOutbox implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(SequenceOutbox.class);

    /** The advisory lock key of the sequencer ("ordinaut outbox seq"). */
    static final long LOCK = 0x6f72_6473_6571L;

    private static final String LOCK_SQL = "SELECT pg_try_advisory_xact_lock(" + LOCK + ")";
    private static final String SEQUENCE = """
            WITH pending AS (
                SELECT id, size FROM outbox WHERE seq IS NULL ORDER BY id LIMIT :batch
            ), base AS (
                SELECT seq AS last FROM outbox_cursor WHERE name = 'sequence'
            ), numbered AS (
                SELECT p.id, p.size, b.last + sum(p.size) OVER (ORDER BY p.id) AS last_seq FROM pending p, base b
            ), moved AS (
                UPDATE outbox_cursor SET seq = seq + (SELECT coalesce(sum(size), 0) FROM pending) WHERE name = 'sequence'
            )
            UPDATE outbox o SET seq = n.last_seq - n.size + 1, last_seq = n.last_seq FROM numbered n WHERE o.id = n.id
            """;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final int batch;
    private final Runnable onSequenced;

    SequenceOutbox(JdbcClient jdbc, TransactionTemplate tx, int batch, Runnable onSequenced) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.batch = batch;
        this.onSequenced = onSequenced;
    }

    @Override
    public void run() {
        int total = 0;
        int n;
        do {
            Integer done = tx.execute(status -> {
                if (!Boolean.TRUE.equals(jdbc.sql(LOCK_SQL).query(Boolean.class).single())) {
                    return -1;
                }
                return jdbc.sql(SEQUENCE).param("batch", batch).update();
            });
            n = done == null ? 0 : done;
            total += Math.max(n, 0);
        } while (n == batch);
        if (total > 0) {
            log.trace("Sequenced {} outbox rows", total);
            onSequenced.run();
        }
    }
}
