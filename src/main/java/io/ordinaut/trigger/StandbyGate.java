package io.ordinaut.trigger;

/**
 * Asked when a scheduler node starts: whether Quartz must stay in standby instead of firing, and whether
 * the start-up window pass may enqueue (the operator put the whole cluster in standby, see
 * io.ordinaut.admin); and in windows mode by every batch of a window fire and by a join that creates a
 * schedule, which enqueue nothing while the cluster is in standby ({@link WindowHold}). Without a gate,
 * Quartz starts, the pass runs and nothing is held.
 */
public interface StandbyGate {

    /** True while the cluster is in standby; a failure to find out is logged by the gate and answers false. */
    boolean holdInStandby();

    /**
     * Reads the cluster's standby flag with a share lock held until the caller's transaction ends: true
     * while the cluster is in standby. A standby command waits for that transaction, so what it enqueues
     * comes before the command answers, and the next transaction sees the standby. A failure is thrown.
     */
    boolean lockStandby();
}
