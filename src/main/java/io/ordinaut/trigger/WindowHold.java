package io.ordinaut.trigger;

import java.util.HashMap;
import java.util.Map;

import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Whether the window triggers fire now (windows mode): not while the cluster is in standby (the
 * operator's flag, {@link StandbyGate}), and not for a group whose window trigger is paused. Asked by
 * every batch of a window fire and by a join that creates a schedule — which would otherwise enqueue
 * its first occurrences itself — so that nothing is enqueued ahead that the window fires would not
 * enqueue. What is held back stays due and is the window fires' once the cluster is started or the
 * trigger resumed, under the misfire rule.
 */
@Component
class WindowHold {

    private final Scheduler scheduler;
    private final ObjectProvider<StandbyGate> gate;

    WindowHold(Scheduler scheduler, ObjectProvider<StandbyGate> gate) {
        this.scheduler = scheduler;
        this.gate = gate;
    }

    /**
     * In the caller's transaction: true while the cluster is in standby. The flag stays share-locked until
     * the transaction ends, so a standby command waits for it: what the transaction enqueues comes before
     * the command answers, and nothing after.
     */
    boolean clusterStandby() {
        StandbyGate standby = gate.getIfAvailable();
        return standby != null && standby.lockStandby();
    }

    /**
     * Whether the group's window trigger is paused. A plain read, not a lock: locking Quartz's trigger row
     * would stall every node's trigger acquisition behind our transaction. So a pause that comes while a
     * join runs lets that join enqueue, as it lets a window fire in progress finish. A missing trigger is
     * not paused (the repair recreates it).
     */
    boolean paused(int group) {
        try {
            return scheduler.getTriggerState(FiringMode.windowKey(group)) == Trigger.TriggerState.PAUSED;
        } catch (SchedulerException e) {
            throw new IllegalStateException("Could not read the state of window trigger " + FiringMode.windowKey(group) + ": "
                    + e.getMessage(), e);
        }
    }

    /** The answers for one transaction, each read at most once and only when asked. */
    Check check() {
        return new Check();
    }

    final class Check {

        private Boolean standby;
        private final Map<Integer, Boolean> pausedGroups = new HashMap<>();

        /** Whether the window trigger of {@code group} fires now: its trigger not paused, the cluster not in standby. */
        boolean fires(int group) {
            if (pausedGroups.computeIfAbsent(group, WindowHold.this::paused)) {
                return false;
            }
            if (standby == null) {
                standby = clusterStandby();
            }
            return !standby;
        }
    }
}
