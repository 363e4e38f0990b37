package io.ordinaut.trigger;

import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.ordinaut.config.InvalidSettingException;
import io.ordinaut.config.NodeProperties;
import io.ordinaut.queue.ExecutorProperties;

/**
 * Refuses a node whose ordinaut.trigger.mode differs from the live nodes' before it converts the triggers
 * ({@link FiringMode#prepare}): a node in per-schedule mode removes the window triggers the others fire by, and
 * their window fires do not know the schedule triggers it makes, so occurrences would go unfired and unrecorded.
 * A mode is switched by stopping every node and starting them with the new value.
 *
 * <p>Each node records its mode in its worker_heartbeat row (taken before, by the queue's JoinCluster); the live
 * nodes are those {@code GET /workers} does not show {@code stopped} or {@code lost}. The check and the record
 * run under one advisory lock, so of two nodes starting at once with different modes the second sees the first.
 */
@Component
class FiringModeCheck {

    private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('ordinaut:trigger_mode', 0))";
    private static final String OTHERS = """
            SELECT node_id || ' (' || trigger_mode || ')' FROM worker_heartbeat
             WHERE node_id <> :node AND trigger_mode IS NOT NULL AND trigger_mode <> :mode
               AND state <> 'stopped' AND last_seen >= now() - make_interval(secs => :staleSeconds)
             ORDER BY node_id
            """;
    private static final String RECORD = "UPDATE worker_heartbeat SET trigger_mode = :mode WHERE node_id = :node";
    /** A refused node leaves its row stopped: it never ran, and must not count as live for a restart. */
    private static final String REFUSED = "UPDATE worker_heartbeat SET state = 'stopped' WHERE node_id = :node";

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final TriggerProperties properties;
    private final NodeProperties node;
    private final ExecutorProperties executor;

    FiringModeCheck(JdbcClient jdbc, PlatformTransactionManager transactionManager, TriggerProperties properties, NodeProperties node,
                    ExecutorProperties executor) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
        this.properties = properties;
        this.node = node;
        this.executor = executor;
    }

    /** @throws InvalidSettingException when a live node runs another mode */
    void check() {
        List<String> others = transactions.execute(status -> {
            jdbc.sql(LOCK).query().singleRow();
            List<String> found = jdbc.sql(OTHERS).param("node", node.id()).param("mode", properties.mode())
                    .param("staleSeconds", executor.heartbeatIntervalMs() * 3 / 1000.0).query(String.class).list();
            if (found.isEmpty()) {
                int rows = jdbc.sql(RECORD).param("mode", properties.mode()).param("node", node.id()).update();
                if (rows != 1) {
                    throw new IllegalStateException("node " + node.id() + " has no worker_heartbeat row to record its firing mode in");
                }
            }
            return found;
        });
        if (!others.isEmpty()) {
            jdbc.sql(REFUSED).param("node", node.id()).update();
            throw new InvalidSettingException("ordinaut.trigger.mode", "ORDINAUT_TRIGGER_MODE", "ORDINAUT_TRIGGER_MODE (ordinaut.trigger.mode) is '"
                    + properties.mode() + "' but live nodes run another mode: " + String.join(", ", others)
                    + "; use the same mode on every node (to switch modes, stop every node, then start them with the new one)");
        }
    }
}
