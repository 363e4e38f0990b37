package io.ordinaut.health;

import java.lang.management.ManagementFactory;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.ordinaut.config.NodeProperties;
import io.ordinaut.trigger.QuartzStatus;

/**
 * The checks behind actuator's two open probes (application.yaml names them in the liveness and readiness
 * groups), so that {@code /actuator/health/liveness} and {@code /readiness} judge a node as
 * {@code /health/live} and {@code /health/ready} do. Left to actuator's defaults a group holds every check,
 * the pool's database check included: liveness then failed while PostgreSQL was down, and an orchestrator
 * restarted every node of the cluster for an outage a restart cannot cure.
 */
@Configuration(proxyBeanMethods = false)
class ActuatorProbes {

    /** No deadlocked threads: the one thing a restart cures. */
    @Bean
    HealthIndicator deadlocks() {
        return () -> {
            long[] deadlocked = ManagementFactory.getThreadMXBean().findDeadlockedThreads();
            return deadlocked == null ? Health.up().build() : Health.down().withDetail("deadlocked_threads", deadlocked.length).build();
        };
    }

    /** {@code SELECT 1} within {@link DatabaseProbe#DEADLINE}, not the pool's connection timeout. */
    @Bean
    HealthIndicator databaseAnswers(DatabaseProbe database) {
        return () -> "healthy".equals(database.check().get("status")) ? Health.up().build() : Health.down().build();
    }

    /** Quartz started (standby counts) on a node with the scheduler role; nothing to check on others. */
    @Bean
    HealthIndicator schedulerStarted(QuartzStatus quartz, NodeProperties node) {
        return () -> !node.has(NodeProperties.Role.SCHEDULER) || quartz.started() ? Health.up().build() : Health.down().build();
    }
}
