package io.ordinaut.trigger;

import javax.sql.DataSource;

import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.ordinaut.Threads;
import io.ordinaut.config.NodeProperties;
import io.ordinaut.metrics.OrdinautMetrics;

/**
 * Quartz wiring. Every node can create and change triggers (the API needs that); only nodes with the
 * {@code scheduler} role start Quartz's scheduler thread and fire them.
 */
@Configuration(proxyBeanMethods = false)
class QuartzConfiguration {

    /**
     * Quartz reaches the DataSource through its job store, which Spring cannot see as a dependency.
     * Without an explicit one the pool may close first at shutdown and Quartz's worker then retries
     * its completion write forever, hanging the shutdown.
     */
    @Bean
    static BeanFactoryPostProcessor quartzOutlivedByDataSource() {
        return beanFactory -> {
            for (String name : beanFactory.getBeanNamesForType(Scheduler.class, true, false)) {
                BeanDefinition definition = beanFactory.getBeanDefinition(name);
                String[] dependsOn = definition.getDependsOn() == null ? new String[0] : definition.getDependsOn();
                String[] extended = java.util.Arrays.copyOf(dependsOn, dependsOn.length + 1);
                extended[dependsOn.length] = "dataSource";
                definition.setDependsOn(extended);
            }
        };
    }

    /** Nodes starting at once register Quartz's jobs one at a time (see {@link QuartzRegistrationLock}). */
    @Bean
    static BeanPostProcessor quartzRegistrationLock(ObjectProvider<DataSource> dataSource) {
        return new QuartzRegistrationLock(dataSource);
    }

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

    /** The durable job the window triggers fire (ordinaut.trigger.mode=windows). */
    @Bean
    JobDetail enqueueWindowJob() {
        return JobBuilder.newJob(EnqueueWindowJob.class)
                .withIdentity(FiringMode.WINDOW_JOB_KEY)
                .storeDurably()
                .withDescription("Enqueues the occurrences of one group's schedules inside the horizon")
                .build();
    }

    @Bean
    FireCounter fireCounter(Scheduler scheduler, OrdinautMetrics metrics) throws SchedulerException {
        FireCounter counter = new FireCounter(metrics);
        scheduler.getListenerManager().addTriggerListener(counter);
        return counter;
    }

    @Bean
    SmartLifecycle firingPreparation(FiringModeCheck check, FiringMode firingMode, NodeProperties node, ObjectProvider<StandbyGate> gate) {
        return new FiringPreparation(check, firingMode, node, gate);
    }

    @Bean
    SmartLifecycle schedulerRole(Scheduler scheduler, NodeProperties node, ObjectProvider<StandbyGate> gate, QuartzStatus status) {
        return new SchedulerRole(scheduler, node, gate, status);
    }

    /**
     * Brings Quartz's triggers in line with the firing mode and, on a scheduler node, makes one window
     * pass — before the executors start (they start in a later phase), so runs left overdue by an outage
     * are folded into their catch-up before any claim sees them. No pass while the cluster is in standby,
     * none for a paused window trigger (see {@link FiringMode#catchUp}).
     */
    static final class FiringPreparation implements SmartLifecycle {

        private static final Logger log = LoggerFactory.getLogger(FiringPreparation.class);
        private static final int PREPARE_ATTEMPTS = 3;
        private final FiringModeCheck check;
        private final FiringMode firingMode;
        private final NodeProperties node;
        private final ObjectProvider<StandbyGate> gate;
        private volatile boolean running;

        FiringPreparation(FiringModeCheck check, FiringMode firingMode, NodeProperties node, ObjectProvider<StandbyGate> gate) {
            this.check = check;
            this.firingMode = firingMode;
            this.node = node;
            this.gate = gate;
        }

        @Override
        public void start() {
            // Before anything is converted: a node with another mode than the live nodes' stops here.
            check.check();
            for (int attempt = 1; ; attempt++) {
                try {
                    firingMode.prepare();
                    break;
                } catch (IllegalStateException e) {
                    // Nodes starting together race on Quartz's lock (and, in one JVM, on its connection provider).
                    if (attempt == PREPARE_ATTEMPTS) {
                        throw e;
                    }
                    log.warn("Preparing the firing mode failed ({}); retrying", e.getMessage());
                    Threads.sleepQuietly(500L * attempt);
                }
            }
            if (node.has(NodeProperties.Role.SCHEDULER)) {
                // The pass reads the cluster's standby flag itself, before it enqueues anything: this phase
                // comes before SchedulerRole's, which asks the gate whether Quartz may start.
                firingMode.catchUp(gate.getIfAvailable());
            }
            running = true;
        }

        @Override
        public void stop() {
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            // Before the heartbeat (Integer.MAX_VALUE - 1500) and the executors: ExecutorPool (Integer.MAX_VALUE - 1000),
            // which depends on the heartbeat, starts after it.
            return Integer.MAX_VALUE - 1600;
        }
    }

    /** Starts Quartz after everything else is up, and puts it on standby first at shutdown. */
    static final class SchedulerRole implements SmartLifecycle {

        private static final Logger log = LoggerFactory.getLogger(SchedulerRole.class);
        private final Scheduler scheduler;
        private final NodeProperties node;
        private final ObjectProvider<StandbyGate> gate;
        private final QuartzStatus status;
        private volatile boolean running;

        SchedulerRole(Scheduler scheduler, NodeProperties node, ObjectProvider<StandbyGate> gate, QuartzStatus status) {
            this.scheduler = scheduler;
            this.node = node;
            this.gate = gate;
            this.status = status;
        }

        @Override
        public void start() {
            if (!node.has(NodeProperties.Role.SCHEDULER)) {
                log.info("Scheduler role not enabled: this node creates triggers but never fires them");
                return;
            }
            StandbyGate standby = gate.getIfAvailable();
            if (standby != null && standby.holdInStandby()) {
                // The cluster is in standby: Quartz stays unstarted until the operator starts the cluster again
                // (Quartz cannot be started paused: a start followed by standby could fire a trigger already due).
                // The node is ready meanwhile, like every node of a cluster in standby (QuartzStatus#started).
                status.holdForCluster();
                log.info("The cluster is in standby: this node's scheduler stays in standby");
                running = true;
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
