package io.ordinaut.queue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.ordinaut.config.NodeProperties;

/**
 * Every node's row in worker_heartbeat: who it is, when it started, when it was last seen, how many runs
 * it has in flight and has processed, and whether it is running, draining (shutting down: no new claims)
 * or stopped. Written every ordinaut.executor.heartbeat-interval-ms and at once when the executor pool
 * changes state. last_seen is the database's clock, so nodes with skewed clocks still compare fairly.
 *
 * <p>The pool reports to the heartbeat ({@link #poolChanged}), not the other way round: Spring stops a bean's
 * dependents before the bean whatever their phases, so a heartbeat that took the pool was stopped — and wrote
 * {@code stopped}, freeing the node id for another process — before the pool had drained. Now the pool depends
 * on the heartbeat and is stopped first: the row says {@code draining} with last_seen moving while runs finish,
 * and {@code stopped} only once the pool has written their results.
 */
@Component
class WorkerHeartbeat implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkerHeartbeat.class);

    private static final String UPSERT = """
            INSERT INTO worker_heartbeat (node_id, host, pid, roles, started_at, last_seen, in_flight, processed, state)
            VALUES (:node, :host, :pid, :roles, :startedAt, now(), :inFlight, :processed, :state)
            ON CONFLICT (node_id) DO UPDATE
               SET host = EXCLUDED.host, pid = EXCLUDED.pid, roles = EXCLUDED.roles, started_at = EXCLUDED.started_at,
                   last_seen = EXCLUDED.last_seen, in_flight = EXCLUDED.in_flight, processed = EXCLUDED.processed,
                   state = EXCLUDED.state
            """;

    private final JdbcClient jdbc;
    private final NodeProperties node;
    private final ExecutorProperties properties;
    private final Clock clock;
    private final String host = hostName();
    private final long pid = ProcessHandle.current().pid();
    private volatile Instant startedAt;
    private volatile boolean stopped = true;
    /** The executor pool, once it reported; null on a node whose pool never started (no executor role). */
    private volatile ExecutorPool pool;
    /** Set when the pool starts draining, and kept once it stopped: the node shuts down until this heartbeat stops. */
    private volatile boolean draining;
    private Duty duty;

    WorkerHeartbeat(JdbcClient jdbc, NodeProperties node, ExecutorProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.node = node;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    public synchronized void start() {
        if (!stopped) {
            return;
        }
        stopped = false;
        draining = false;
        startedAt = clock.instant();
        beatQuietly();
        duty = new Duty("ordinaut-heartbeat", properties.heartbeatIntervalMs(), this::beat).start();
    }

    @Override
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        duty.stop();
        beatQuietly();
    }

    @Override
    public boolean isRunning() {
        return !stopped;
    }

    /**
     * Starts before and stops after the executor pool (which also depends on this bean, so Spring keeps that order
     * whatever the phases), and after the web server's graceful drain: {@code stopped} is the node's last word.
     */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1500;
    }

    /** The pool changed state: write it at once. */
    void poolChanged(ExecutorPool changed) {
        pool = changed;
        ExecutorPool.State state = changed.state();
        draining = state == ExecutorPool.State.DRAINING || state == ExecutorPool.State.STOPPED && draining;
        beatQuietly();
    }

    void beat() {
        ExecutorPool pool = this.pool;
        String state = stopped ? "stopped" : draining ? "draining" : "running";
        jdbc.sql(UPSERT)
                .param("node", node.id())
                .param("host", host)
                .param("pid", pid)
                .param("roles", String.join(",", node.roles()))
                .param("startedAt", Timestamp.from(startedAt))
                .param("inFlight", pool == null ? 0 : pool.inFlightCount())
                .param("processed", pool == null ? 0 : pool.processedCount())
                .param("state", state)
                .update();
    }

    private void beatQuietly() {
        try {
            beat();
        } catch (RuntimeException e) {
            log.warn("Could not write the heartbeat of node {}: {}", node.id(), e.getMessage());
        }
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
