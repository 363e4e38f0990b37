package io.ordinaut.trigger;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import io.ordinaut.queue.DueWorkQueue;
import io.ordinaut.schedule.Schedule;

/**
 * What one fire of a shared schedule's trigger does, in one transaction: advance the schedule's
 * enqueued_through fence, enqueue every active task's run for the occurrence with one INSERT … SELECT,
 * record occurrences that were missed while no node was up, and complete the tasks of a finished schedule.
 */
@Component
class OccurrenceEnqueuer {

    private static final Logger log = LoggerFactory.getLogger(OccurrenceEnqueuer.class);
    /** Counting missed occurrences stops here; a longer outage is recorded as "at least" this many. */
    private static final int MISSED_COUNT_CAP = 10_000;

    /** Only moves forward, so a repeated fire of the same occurrence (crash, race) enqueues nothing. */
    private static final String ADVANCE_FENCE = """
            UPDATE schedule SET enqueued_through = :occurrence
             WHERE id = :id AND (enqueued_through IS NULL OR enqueued_through < :occurrence)
            """;

    private static final String RECORD_MISSED = """
            INSERT INTO missed_occurrence (task_id, first_missed, last_missed, missed_count, caught_up_for, reason)
            SELECT t.id, :first, :last, :count, :caughtUpFor, :reason
              FROM task t
             WHERE t.schedule_id = :scheduleId AND t.status = 'active' AND t.active_since < :first
            """;

    private static final String DELETE_SCHEDULE = "DELETE FROM schedule WHERE id = :id";

    private final JdbcClient jdbc;
    private final DueWorkQueue queue;
    private final ScheduleEndListener scheduleEnd;

    OccurrenceEnqueuer(JdbcClient jdbc, DueWorkQueue queue, ScheduleEndListener scheduleEnd) {
        this.jdbc = jdbc;
        this.queue = queue;
        this.scheduleEnd = scheduleEnd;
    }

    /**
     * @param schedule       the schedule's fire times (null for a recovery fire: nothing missed is computed)
     * @param previous       the occurrence fired before this one, or null
     * @param finalFire      the schedule has no further occurrence
     */
    @Transactional
    public void enqueue(UUID scheduleId, Instant occurrence, Schedule schedule, Instant previous, Instant firedAt,
                        int misfireGraceSeconds, boolean finalFire) {
        int advanced = jdbc.sql(ADVANCE_FENCE).param("occurrence", Timestamp.from(occurrence)).param("id", scheduleId).update();
        if (advanced == 0) {
            log.debug("Occurrence {} of schedule {} already enqueued (or schedule gone); nothing to do", occurrence, scheduleId);
            return;
        }
        int runs = queue.enqueueScheduleOccurrence(scheduleId, occurrence);
        log.trace("Schedule {} occurrence {}: {} runs enqueued", scheduleId, occurrence, runs);
        if (schedule != null && previous != null) {
            recordMissed(scheduleId, schedule, previous, occurrence, firedAt, misfireGraceSeconds);
        }
        if (finalFire) {
            int completed = scheduleEnd.scheduleEnded(scheduleId, firedAt);
            jdbc.sql(DELETE_SCHEDULE).param("id", scheduleId).update();
            log.info("Schedule {} has no further occurrences: {} tasks completed", scheduleId, completed);
        }
    }

    // Everything strictly between the previous fire and this one was missed: coalesced into this run
    // when within the grace period, dropped when older.
    private void recordMissed(UUID scheduleId, Schedule schedule, Instant previous, Instant occurrence, Instant firedAt,
                              int misfireGraceSeconds) {
        // The usual fire follows its predecessor directly: one cheap step, no list of occurrences.
        if (schedule.nextAfter(previous).filter(next -> next.isBefore(occurrence)).isEmpty()) {
            return;
        }
        List<Instant> missed = schedule.occurrencesAfter(previous, MISSED_COUNT_CAP).stream()
                .filter(i -> i.isBefore(occurrence))
                .toList();
        if (missed.isEmpty()) {
            return;
        }
        Instant graceStart = firedAt.minusSeconds(misfireGraceSeconds);
        List<Instant> expired = missed.stream().filter(i -> i.isBefore(graceStart)).toList();
        List<Instant> coalesced = missed.stream().filter(i -> !i.isBefore(graceStart)).toList();
        if (!expired.isEmpty()) {
            insertMissed(scheduleId, expired, null, "older than misfire_grace_seconds when the scheduler recovered");
        }
        if (!coalesced.isEmpty()) {
            insertMissed(scheduleId, coalesced, occurrence, "coalesced into the catch-up run after the scheduler recovered");
        }
        log.info("Schedule {}: {} occurrences missed while no scheduler was up ({} coalesced into {}, {} dropped)",
                scheduleId, missed.size(), coalesced.size(), occurrence, expired.size());
    }

    private void insertMissed(UUID scheduleId, List<Instant> missed, Instant caughtUpFor, String reason) {
        jdbc.sql(RECORD_MISSED)
                .param("first", Timestamp.from(missed.get(0)))
                .param("last", Timestamp.from(missed.get(missed.size() - 1)))
                .param("count", missed.size())
                .param("caughtUpFor", caughtUpFor == null ? null : Timestamp.from(caughtUpFor))
                .param("reason", reason)
                .param("scheduleId", scheduleId)
                .update();
    }
}
