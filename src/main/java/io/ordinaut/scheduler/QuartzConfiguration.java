package io.ordinaut.scheduler;

import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.ordinaut.config.NodeProperties;

/**
 * Quartz wiring. Every node can create and change triggers (the API needs that); only nodes with the
 * {@code scheduler} role start Quartz's scheduler thread and fire them.
 */
@Configuration(proxyBeanMethods = false)
class QuartzConfiguration {

    /** The one durable job every shared-schedule trigger fires. */
    @Bean
    JobDetail enqueueOccurrenceJob() {
        return JobBuilder.newJob(EnqueueOccurrenceJob.class)
                .withIdentity(ScheduleRegistry.JOB_KEY)
                .storeDurably()
                .requestRecovery()
                .withDescription("Enqueues the runs of one shared-schedule occurrence")
                .build();
    }

    @Bean
    SmartLifecycle schedulerRole(Scheduler scheduler, NodeProperties node) {
        return new SchedulerRole(scheduler, node);
    }

    /** Starts Quartz after everything else is up, and puts it on standby first at shutdown. */
    static final class SchedulerRole implements SmartLifecycle {

        private static final Logger log = LoggerFactory.getLogger(SchedulerRole.class);
        private final Scheduler scheduler;
        private final NodeProperties node;
        private volatile boolean running;

        SchedulerRole(Scheduler scheduler, NodeProperties node) {
            this.scheduler = scheduler;
            this.node = node;
        }

        @Override
        public void start() {
            if (!node.has(NodeProperties.Role.SCHEDULER)) {
                log.info("Scheduler role not enabled: this node creates triggers but never fires them");
                return;
            }
            try {
                scheduler.start();
                running = true;
            } catch (SchedulerException e) {
                throw new IllegalStateException("Quartz scheduler failed to start: " + e.getMessage(), e);
            }
        }

        @Override
        public void stop() {
            if (!running) {
                return;
            }
            try {
                scheduler.standby();
            } catch (SchedulerException e) {
                log.warn("Quartz standby failed: {}", e.getMessage());
            }
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return Integer.MAX_VALUE - 500;
        }
    }
}
