package io.ordinaut.trigger;

/**
 * Asked once when a scheduler node starts: whether Quartz must stay in standby instead of firing (the
 * operator put the whole cluster in standby, see io.ordinaut.admin). Without a gate, Quartz starts.
 */
public interface StandbyGate {

    /** True while the cluster is in standby; a failure to find out is logged by the gate and answers false. */
    boolean holdInStandby();
}
