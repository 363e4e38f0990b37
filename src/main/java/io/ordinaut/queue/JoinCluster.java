package io.ordinaut.queue;

import java.sql.Timestamp;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.ordinaut.Threads;
import io.ordinaut.config.InvalidSettingException;
import io.ordinaut.config.NodeProperties;

/**
 * Takes this node's id in worker_heartbeat before the node does anything under it (the firing mode check, leases,
 * the heartbeat), and refuses to start when a live node already uses it: two processes with one id would renew
 * and reclaim each other's leases and share one heartbeat row.
 *
 * <p>A row is live by the rule that makes a node {@code lost}: not {@code stopped} and written within three
 * heartbeat intervals. A fresh row may also be this node's own from before a {@code kill -9}, so a fresh row is
 * only taken for a live node once it is written again; one that goes stale first (or whose process is gone from
 * this machine) is taken over at once — a restart right after {@code kill -9} waits at most those three intervals.
 */
@Component
class JoinCluster implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JoinCluster.class);
    private static final long POLL_MS = 250;

    private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('ordinaut:node_id:' || :node, 0))";
    private static final String ROW = """
            SELECT host, pid, state, last_seen, state <> 'stopped' AND last_seen >= now() - make_interval(secs => :staleSeconds) AS fresh,
                   EXTRACT(EPOCH FROM now() - last_seen) AS age
              FROM worker_heartbeat WHERE node_id = :node
            """;
    /** The row as WorkerHeartbeat writes it, until its first beat: fresh, so a second process sees the id taken. */
    private static final String CLAIM = """
            INSERT INTO worker_heartbeat (node_id, host, pid, roles, started_at, last_seen, in_flight, processed, state)
            VALUES (:node, :host, :pid, :roles, now(), now(), 0, 0, 'running')
            ON CONFLICT (node_id) DO UPDATE
               SET host = EXCLUDED.host, pid = EXCLUDED.pid, roles = EXCLUDED.roles, started_at = EXCLUDED.started_at,
                   last_seen = EXCLUDED.last_seen, in_flight = 0, processed = 0, state = 'running'
            """;

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final NodeProperties node;
    private final ExecutorProperties properties;
    private final String host = WorkerHeartbeat.hostName();
    private final long pid = ProcessHandle.current().pid();
    private volatile boolean running;

    JoinCluster(JdbcClient jdbc, PlatformTransactionManager transactionManager, NodeProperties node, ExecutorProperties properties) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
        this.node = node;
        this.properties = properties;
    }

    /** What the row of this node's id said. */
    private record Holder(String host, long pid, String state, Timestamp lastSeen, boolean fresh, double ageSeconds) {
    }

    @Override
    public void start() {
        Holder first = null;
        while (true) {
            Holder seen = transactions.execute(status -> {
                jdbc.sql(LOCK).param("node", node.id()).query().singleRow();
                Holder holder = holder();
                if (holder == null || !holder.fresh() || predecessorGone(holder)) {
                    jdbc.sql(CLAIM).param("node", node.id()).param("host", host).param("pid", pid)
                            .param("roles", String.join(",", node.roles())).update();
                    return null;
                }
                return holder;
            });
            if (seen == null) {
                break;
            }
            if (first == null) {
                first = seen;
                log.info("Node id {} has a heartbeat {} s old (host {}, pid {}): waiting to see whether that node is alive",
                        node.id(), Math.round(seen.ageSeconds() * 10) / 10.0, seen.host(), seen.pid());
            } else if (!seen.lastSeen().equals(first.lastSeen())) {
                throw new InvalidSettingException("ordinaut.node.id", "ORDINAUT_NODE_ID", "ORDINAUT_NODE_ID (ordinaut.node.id) is '"
                        + node.id() + "', which a live node uses (host " + seen.host() + ", pid " + seen.pid() + ", heartbeat "
                        + Math.round(seen.ageSeconds() * 10) / 10.0 + " s old); give every node an id of its own");
            }
            Threads.sleepQuietly(POLL_MS);
        }
        running = true;
    }

    private Holder holder() {
        return jdbc.sql(ROW).param("node", node.id()).param("staleSeconds", properties.heartbeatIntervalMs() * 3 / 1000.0)
                .query((rs, i) -> new Holder(rs.getString("host"), rs.getLong("pid"), rs.getString("state"), rs.getTimestamp("last_seen"),
                        rs.getBoolean("fresh"), rs.getDouble("age")))
                .optional().orElse(null);
    }

    /** The row was written from this machine by a process that is gone: this node's own, before it was killed. */
    private boolean predecessorGone(Holder holder) {
        return host.equals(holder.host()) && holder.pid() != pid
                && ProcessHandle.of(holder.pid()).map(p -> !p.isAlive()).orElse(true);
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** First of this node's duties that write under its id: before the firing mode check and preparation. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1800;
    }
}
