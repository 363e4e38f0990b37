package io.ordinaut.trigger;

import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.springframework.stereotype.Component;

/**
 * What the rest of the node may know about this node's Quartz scheduler, so that Quartz types stay in
 * this package. Every read answers even when Quartz cannot (then "unknown" / not firing).
 */
@Component
public class QuartzStatus {

    private final Scheduler scheduler;

    QuartzStatus(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** Quartz's instance id in the cluster, or "unknown". */
    public String instanceId() {
        try {
            return scheduler.getSchedulerInstanceId();
        } catch (SchedulerException e) {
            return "unknown";
        }
    }

    /** Started, not in standby, not shut down: this node acquires and fires triggers. */
    public boolean firing() {
        try {
            return scheduler.isStarted() && !scheduler.isInStandbyMode() && !scheduler.isShutdown();
        } catch (SchedulerException e) {
            return false;
        }
    }

    /**
     * Quartz has been started and not shut down; it may be on standby (an operator's choice: the node still
     * serves the API). False before the scheduler role starts it, after shutdown, or when Quartz cannot say.
     */
    public boolean started() {
        try {
            return scheduler.isStarted() && !scheduler.isShutdown();
        } catch (SchedulerException e) {
            return false;
        }
    }

    /** The job store is clustered (it always is in production; a check for operators). */
    public boolean clustered() {
        try {
            return scheduler.getMetaData().isJobStoreClustered();
        } catch (SchedulerException e) {
            return false;
        }
    }
}
