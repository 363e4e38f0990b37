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
    private final ExecutorPool pool;
    private final NodeProperties node;
    private final ExecutorProperties properties;
    private final Clock clock;
    private final String host = hostName();
    private final long pid = ProcessHandle.current().pid();
    private volatile Instant startedAt;
    private volatile boolean stopped = true;
    private Duty duty;

    WorkerHeartbeat(JdbcClient jdbc, ExecutorPool pool, NodeProperties node, ExecutorProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.pool = pool;
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
        startedAt = clock.instant();
        pool.onStateChange(this::beatQuietly);
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

    /** Starts before and stops after the executor pool, so the pool's draining and stopped states are written. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1500;
    }

    void beat() {
        String state = stopped ? "stopped" : pool.state() == ExecutorPool.State.DRAINING ? "draining" : "running";
        jdbc.sql(UPSERT)
                .param("node", node.id())
                .param("host", host)
                .param("pid", pid)
                .param("roles", String.join(",", node.roles()))
                .param("startedAt", Timestamp.from(startedAt))
                .param("inFlight", pool.inFlightCount())
                .param("processed", pool.processedCount())
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
