package io.ordinaut.trigger;

import java.time.Instant;
import java.util.UUID;

/**
 * Told when a shared schedule has fired its last occurrence, inside the transaction that enqueued it.
 * The task side implements it (its tasks are then complete), so the trigger package never writes the
 * task table itself and does not depend on the task package.
 */
public interface ScheduleEndListener {

    /** @return how many tasks the end of the schedule completed */
    int scheduleEnded(UUID scheduleId, Instant at);
}
