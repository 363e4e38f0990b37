package io.ordinaut.trigger;

import java.time.Instant;
import java.util.Collection;
import java.util.UUID;

/**
 * Told when a shared schedule has fired its last occurrence, inside the transaction that enqueued it.
 * The task side implements it (its tasks are then complete), so the trigger package never writes the
 * task table itself and does not depend on the task package.
 */
public interface ScheduleEndListener {

    /** @return how many tasks the end of the schedule completed */
    int scheduleEnded(UUID scheduleId, Instant at);

    /**
     * Several schedules ended at once (a window fire after a burst of {@code once} schedules): one
     * statement for all of them, so thousands of ends do not hold the fire's locks row by row.
     *
     * @return how many tasks the ends completed, all schedules together
     */
    int schedulesEnded(Collection<UUID> scheduleIds, Instant at);
}
