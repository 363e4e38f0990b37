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
    /**
     * This node's scheduler role held Quartz unstarted because the cluster was in standby when the node started
     * ({@link StandbyGate}); cleared when Quartz is started ({@link QuartzAdmin#start}).
     */
    private volatile boolean heldByCluster;

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
     * serves the API). A node that started while the cluster was in standby counts as started too: its Quartz
     * is deliberately held unstarted (starting it and then putting it in standby would let it fire a trigger
     * already due in between) and starts with the cluster's start command. False before the scheduler role
     * starts it, after shutdown, or when Quartz cannot say.
     */
    public boolean started() {
        try {
            return !scheduler.isShutdown() && (scheduler.isStarted() || heldByCluster);
        } catch (SchedulerException e) {
            return false;
        }
    }

    /** Quartz is held unstarted by the cluster's standby (see {@link #started}). */
    public boolean heldByCluster() {
        return heldByCluster;
    }

    void holdForCluster() {
        heldByCluster = true;
    }

    void releaseHold() {
        heldByCluster = false;
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
