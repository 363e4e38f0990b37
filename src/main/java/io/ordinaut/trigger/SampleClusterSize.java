package io.ordinaut.trigger;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.ordinaut.metrics.GaugeSampler;
import io.ordinaut.metrics.OrdinautMetrics;

/**
 * Samples how many Quartz instances of this cluster are alive: those whose last check-in is at most two
 * check-in intervals plus Quartz's 7.5 s grace old, by the database's clock (check-ins are written with
 * each node's own clock, which is what Quartz itself compares them with).
 */
@Component
class SampleClusterSize implements GaugeSampler {

    private static final String ALIVE = """
            SELECT count(*) FROM qrtz_scheduler_state
             WHERE sched_name = :name
               AND last_checkin_time + 2 * checkin_interval + 7500 >= extract(epoch FROM now()) * 1000
            """;

    private final JdbcClient jdbc;
    private final OrdinautMetrics metrics;
    private final String schedulerName;

    SampleClusterSize(JdbcClient jdbc, OrdinautMetrics metrics, @Value("${spring.quartz.scheduler-name:ordinaut}") String schedulerName) {
        this.jdbc = jdbc;
        this.metrics = metrics;
        this.schedulerName = schedulerName;
    }

    @Override
    public void sample() {
        metrics.sampledClusterSize(jdbc.sql(ALIVE).param("name", schedulerName).query(Long.class).single());
    }
}
