package io.ordinaut.queue;

import java.util.HashMap;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.ordinaut.metrics.GaugeSampler;
import io.ordinaut.metrics.OrdinautMetrics;

/**
 * Samples the queue (depth by priority and state, age of the oldest ready run) and the nodes by
 * heartbeat state for the gauges; both cluster-wide, by the database's clock. One small aggregate each:
 * due_work holds only waiting and running runs.
 */
@Component
class SampleQueueGauges implements GaugeSampler {

    private static final String QUEUE = """
            SELECT priority,
                   count(*) FILTER (WHERE locked_by IS NULL AND run_at <= now()) AS ready,
                   count(*) FILTER (WHERE locked_by IS NULL AND run_at > now()) AS waiting,
                   count(*) FILTER (WHERE locked_by IS NOT NULL) AS running,
                   coalesce(extract(epoch FROM now() - min(run_at) FILTER (WHERE locked_by IS NULL AND run_at <= now())), 0)
                     AS oldest_ready_seconds
              FROM due_work
             GROUP BY priority
            """;

    /** A node silent for three heartbeats is lost, as GET /workers shows it. */
    private static final String NODES = "SELECT " + StatusSql.workerState("w") + " AS shown_state, count(*) AS n"
            + " FROM worker_heartbeat w GROUP BY 1";

    private final JdbcClient jdbc;
    private final OrdinautMetrics metrics;
    private final double lostAfterSeconds;

    SampleQueueGauges(JdbcClient jdbc, OrdinautMetrics metrics, ExecutorProperties executor) {
        this.jdbc = jdbc;
        this.metrics = metrics;
        this.lostAfterSeconds = executor.lostAfterSeconds();
    }

    @Override
    public void sample() {
        boolean[] seen = new boolean[10];
        jdbc.sql(QUEUE).query(rs -> {
            int priority = rs.getInt("priority");
            metrics.sampledQueue(priority, rs.getLong("ready"), rs.getLong("waiting"), rs.getLong("running"),
                    rs.getDouble("oldest_ready_seconds"));
            if (priority >= 1 && priority <= 9) {
                seen[priority] = true;
            }
        });
        for (int priority = 1; priority <= 9; priority++) {
            if (!seen[priority]) {
                metrics.sampledQueue(priority, 0, 0, 0, 0);
            }
        }
        Map<String, Long> nodes = new HashMap<>();
        jdbc.sql(NODES).param("lostAfterSeconds", lostAfterSeconds).query(rs -> {
            nodes.put(rs.getString("shown_state"), rs.getLong("n"));
        });
        metrics.sampledNodes(nodes);
    }
}
