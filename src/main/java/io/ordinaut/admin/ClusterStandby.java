package io.ordinaut.admin;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.ordinaut.ConflictException;
import io.ordinaut.queue.Duty;
import io.ordinaut.trigger.QuartzAdmin;
import io.ordinaut.trigger.StandbyGate;

/**
 * Standby and start of this node's Quartz scheduler, alone or for the whole cluster.
 *
 * <p>The cluster-wide switch is the one row of {@code scheduler_control}: a cluster command sets
 * {@code standby} and bumps {@code generation}; every scheduler node polls the row every
 * {@value #POLL_MS} ms and obeys each new generation once — standby, or start (which also starts a node
 * that was put in standby on its own). While the flag is set a node keeps itself in standby (it corrects
 * itself should anything start it), a node starting meanwhile never starts Quartz nor makes its start-up
 * window pass ({@link StandbyGate}), and a start of this node alone is refused: the flag would put it
 * back at once. In windows mode the flag also stops window fires already running (at their next batch)
 * and the enqueue a new schedule's creation would make; both read it share-locked, so {@link #setCluster}
 * answers only after those in progress have committed.
 */
@Component
class ClusterStandby implements StandbyGate, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ClusterStandby.class);
    static final long POLL_MS = 1_000;

    private static final String READ = "SELECT standby, generation, changed_at, changed_by FROM scheduler_control";
    /** A share lock on the row: SET, an UPDATE of it, waits for the reader's transaction to end. */
    private static final String READ_LOCKED = "SELECT standby FROM scheduler_control FOR SHARE";
    private static final String SET = """
            UPDATE scheduler_control SET standby = :standby, generation = generation + 1, changed_at = now(), changed_by = :by
            """;

    private final JdbcClient jdbc;
    private final QuartzAdmin quartz;
    private final Object lock = new Object();
    /** The cluster command this node last obeyed; -1 before it has read the row. */
    private long seenGeneration = -1;
    /** This node was put in standby on its own (not by the cluster flag). */
    private volatile boolean nodeStandby;
    private volatile Duty duty;

    ClusterStandby(JdbcClient jdbc, QuartzAdmin quartz) {
        this.jdbc = jdbc;
        this.quartz = quartz;
    }

    /** The cluster switch as stored. */
    record Switch(boolean standby, long generation, Instant changedAt, UUID changedBy) {
    }

    Switch read() {
        return jdbc.sql(READ).query((rs, i) -> new Switch(rs.getBoolean("standby"), rs.getLong("generation"),
                rs.getTimestamp("changed_at").toInstant(), rs.getObject("changed_by", UUID.class))).single();
    }

    @Override
    public boolean holdInStandby() {
        try {
            Switch current = read();
            synchronized (lock) {
                seenGeneration = current.generation();
            }
            return current.standby();
        } catch (DataAccessException e) {
            // The poll puts the node in standby within a second once the database answers.
            log.warn("Could not read the cluster standby flag at start ({}); starting the scheduler", e.getMessage());
            return false;
        }
    }

    @Override
    public boolean lockStandby() {
        return jdbc.sql(READ_LOCKED).query(Boolean.class).single();
    }

    /** Sets the cluster flag and obeys it here at once; the other nodes follow within {@value #POLL_MS} ms. */
    Switch setCluster(boolean standby, UUID by) {
        jdbc.sql(SET).param("standby", standby).param("by", by).update();
        poll();
        return read();
    }

    /** This node alone; refused, as {@link #startNode} is, on a node without the scheduler role or after shutdown. */
    void standbyNode() {
        synchronized (lock) {
            refuseWithoutScheduler();
            nodeStandby = true;
            quartz.standby();
        }
    }

    /** This node alone; refused while the cluster is in standby, on a node without the scheduler role, or after shutdown. */
    void startNode() {
        synchronized (lock) {
            refuseWithoutScheduler();
            if (read().standby()) {
                throw new ConflictException("The cluster is in standby: POST /admin/scheduler/start?cluster=true starts every node",
                        Map.of("cluster_standby", true));
            }
            quartz.start();
            nodeStandby = false;
        }
    }

    private void refuseWithoutScheduler() {
        if (!quartz.schedulerRole()) {
            throw new ConflictException("This node does not have the scheduler role (ordinaut.node.roles), so it never fires",
                    Map.of("state", quartz.state()));
        }
        if ("shutdown".equals(quartz.state())) {
            throw new ConflictException("This node's scheduler is shut down", Map.of("state", "shutdown"));
        }
    }

    /** Why this node is in standby: {@code cluster}, {@code node}, {@code not_started} (no scheduler role), or null when it fires. */
    String standbyReason(Switch current) {
        String state = quartz.state();
        if (!"standby".equals(state)) {
            return null;
        }
        if (!quartz.schedulerRole()) {
            return "no_scheduler_role";
        }
        if (current.standby()) {
            return "cluster";
        }
        return nodeStandby ? "node" : "starting";
    }

    /** One round of the poll: obey a new cluster command, and keep standby while the flag is set. */
    void poll() {
        if (!quartz.schedulerRole()) {
            return;
        }
        Switch current = read();
        synchronized (lock) {
            String state = quartz.state();
            if ("shutdown".equals(state)) {
                return;
            }
            boolean fresh = current.generation() != seenGeneration;
            boolean first = seenGeneration < 0;
            seenGeneration = current.generation();
            if (current.standby()) {
                if ("started".equals(state)) {
                    quartz.standby();
                    log.info("Cluster standby (command {}): this node's scheduler is in standby", current.generation());
                }
            } else if (fresh && !first && !"started".equals(state)) {
                quartz.start();
                nodeStandby = false;
                log.info("Cluster start (command {}): this node's scheduler fires again", current.generation());
            }
        }
    }

    @Override
    public void start() {
        duty = new Duty("cluster-standby", POLL_MS, this::poll).start();
    }

    @Override
    public void stop() {
        Duty d = duty;
        if (d != null) {
            d.stop();
            duty = null;
        }
    }

    @Override
    public boolean isRunning() {
        return duty != null;
    }

    /** After the scheduler role's start (which asks {@link #holdInStandby}), and stopped before it. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 400;
    }
}
