package io.ordinaut.trigger;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import io.ordinaut.metrics.OrdinautMetrics;
import io.ordinaut.queue.DueWorkQueue;
import io.ordinaut.queue.StatusSql;
import io.ordinaut.schedule.Schedule;
import io.ordinaut.schedule.ScheduleDefinition;
import io.ordinaut.schedule.ScheduleKind;
import io.ordinaut.schedule.Schedules;

/**
 * What one fire of a shared schedule's trigger does, in one transaction: lock the schedule row (which
 * serialises the fire with tasks joining and leaving), claim the occurrence in the ledger
 * {@code schedule_occurrence}, enqueue every active task's run for it with one INSERT … SELECT, record
 * occurrences that were missed while no node was up, and complete the tasks of a finished schedule.
 *
 * <p>The ledger is the fence: one row per (schedule, occurrence) handled, so a repeated fire of the same
 * occurrence (crash, recovery, refire, race) enqueues nothing, while a late fire of an earlier occurrence
 * is never swallowed by a later one. A fire more than {@code max(misfire_grace_seconds, ON_TIME)} after
 * its occurrence records it as missed instead of running it: never neither. Each fire also checks the
 * occurrence Quartz fired before it, so an occurrence whose fire was given up (a bug that kept failing,
 * a node stopped mid-retry) is enqueued or recorded missed by the next fire at the latest.
 */
@Component
class OccurrenceEnqueuer {

    private static final Logger log = LoggerFactory.getLogger(OccurrenceEnqueuer.class);
    /** Counting missed occurrences stops here; a longer outage is recorded as "at least" this many. */
    private static final int MISSED_COUNT_CAP = 10_000;
    /**
     * A fire this late is still on time whatever the grace: Quartz fires a trigger up to its misfire
     * threshold late (and a busy thread pool adds to that) without calling it a misfire.
     */
    static final Duration ON_TIME = Duration.ofSeconds(60);
    /** Ledger rows are kept this long beyond the lateness a fire may still enqueue. */
    static final Duration LEDGER_MARGIN = Duration.ofHours(1);

    /** Locks the schedule row for the fire; enqueued_through stays the latest occurrence handled. */
    private static final String LOCK_SCHEDULE = """
            UPDATE schedule SET enqueued_through = greatest(enqueued_through, :occurrence)
             WHERE id = :id
            """;

    private static final String CLAIM_OCCURRENCE = """
            INSERT INTO schedule_occurrence (schedule_id, occurrence, outcome) VALUES (:id, :occurrence, :outcome)
            ON CONFLICT DO NOTHING
            """;

    private static final String PRUNE_LEDGER = "DELETE FROM schedule_occurrence WHERE schedule_id = :id AND occurrence < :before";

    private static final String RECORD_MISSED = StatusSql.of("""
            INSERT INTO missed_occurrence (task_id, first_missed, last_missed, missed_count, caught_up_for, reason)
            SELECT t.id, :first, :last, :count, :caughtUpFor, :reason
              FROM task t
             WHERE t.schedule_id = :scheduleId AND t.status = {task:active} AND t.active_since < :first
            """);

    private static final String DELETE_SCHEDULE = "DELETE FROM schedule WHERE id = :id";

    private static final String FIND_SCHEDULE = """
            SELECT kind, expr, timezone, anchor, start_at, end_at, misfire_grace_seconds FROM schedule WHERE id = :id
            """;

    private final JdbcClient jdbc;
    private final DueWorkQueue queue;
    private final Clock clock;
    private final ScheduleEndListener scheduleEnd;
    private final OrdinautMetrics metrics;

    OccurrenceEnqueuer(JdbcClient jdbc, DueWorkQueue queue, Clock clock, ScheduleEndListener scheduleEnd, OrdinautMetrics metrics) {
        this.metrics = metrics;
        this.jdbc = jdbc;
        this.queue = queue;
        this.clock = clock;
        this.scheduleEnd = scheduleEnd;
    }

    /**
     * @param schedule       the schedule's fire times (null: nothing missed is computed)
     * @param previous       the occurrence fired before this one, or null
     * @param finalFire      the schedule has no further occurrence
     */
    @Transactional
    public void enqueue(UUID scheduleId, Instant occurrence, Schedule schedule, Instant previous, Instant firedAt,
                        int misfireGraceSeconds, boolean finalFire) {
        int locked = jdbc.sql(LOCK_SCHEDULE).param("occurrence", Timestamp.from(occurrence)).param("id", scheduleId).update();
        if (locked == 0) {
            log.debug("Schedule {} is gone (its last task left); occurrence {} has no runs", scheduleId, occurrence);
            return;
        }
        Instant now = clock.instant();
        Duration lateness = Duration.ofSeconds(misfireGraceSeconds).compareTo(ON_TIME) > 0 ? Duration.ofSeconds(misfireGraceSeconds) : ON_TIME;
        Instant keepFrom = occurrence.minus(lateness).minus(LEDGER_MARGIN);
        jdbc.sql(PRUNE_LEDGER).param("id", scheduleId).param("before", Timestamp.from(keepFrom)).update();
        if (!handle(scheduleId, occurrence, now, lateness)) {
            log.debug("Occurrence {} of schedule {} already handled; nothing to do", occurrence, scheduleId);
            return;
        }
        // The fire before this one may have been given up; its ledger row is kept as long as this check looks.
        if (previous != null && previous.isBefore(occurrence) && !previous.isBefore(keepFrom)
                && handle(scheduleId, previous, now, lateness)) {
            log.warn("Schedule {}: the fire of occurrence {} had not been handled; handled by the next fire", scheduleId, previous);
        }
        if (schedule != null && previous != null) {
            recordMissed(scheduleId, schedule, previous, occurrence, firedAt, misfireGraceSeconds);
        }
        if (finalFire) {
            int completed = scheduleEnd.scheduleEnded(scheduleId, now);
            jdbc.sql(DELETE_SCHEDULE).param("id", scheduleId).update();
            log.info("Schedule {} has no further occurrences: {} tasks completed", scheduleId, completed);
        }
    }

    /**
     * A fire that Quartz re-runs after the node that ran it died mid-job. Quartz hands back the time
     * the trigger was due, which for a catch-up fire is when it was re-scheduled, not the missed
     * occurrence it stood for: that is the latest occurrence at or before it. Whether it was the
     * schedule's last fire is decided from the schedule itself (the trigger may be gone by now).
     */
    @Transactional
    public void recover(UUID scheduleId, Instant dueAt, Instant firedAt) {
        Optional<StoredSchedule> found = jdbc.sql(FIND_SCHEDULE).param("id", scheduleId).query((rs, i) -> new StoredSchedule(
                        Schedules.compile(new ScheduleDefinition(ScheduleKind.fromWire(rs.getString("kind")), rs.getString("expr"),
                                Schedules.zone(rs.getString("timezone")), rs.getTimestamp("anchor").toInstant(),
                                instant(rs.getTimestamp("start_at")), instant(rs.getTimestamp("end_at")))),
                        rs.getInt("misfire_grace_seconds")))
                .optional();
        if (found.isEmpty()) {
            log.debug("Recovered fire of schedule {} at {}: the schedule is gone", scheduleId, dueAt);
            return;
        }
        Schedule schedule = found.get().schedule();
        int grace = found.get().misfireGraceSeconds();
        Instant occurrence = schedule.latestBetween(dueAt.minusSeconds(grace).minus(ON_TIME), dueAt).orElse(dueAt);
        boolean finalFire = schedule.nextAfter(occurrence).isEmpty();
        log.info("Recovering the fire of occurrence {} of schedule {} (due at {}{})", occurrence, scheduleId, dueAt,
                finalFire ? ", its last" : "");
        enqueue(scheduleId, occurrence, schedule, null, firedAt, grace, finalFire);
    }

    // Claims the occurrence in the ledger and enqueues its runs, or records it missed when the fire is
    // later than the schedule allows; false when the occurrence was handled before.
    private boolean handle(UUID scheduleId, Instant occurrence, Instant now, Duration lateness) {
        boolean late = occurrence.isBefore(now.minus(lateness));
        int claimed = jdbc.sql(CLAIM_OCCURRENCE)
                .param("id", scheduleId)
                .param("occurrence", Timestamp.from(occurrence))
                .param("outcome", late ? "missed" : "enqueued")
                .update();
        if (claimed == 0) {
            return false;
        }
        if (late) {
            insertMissed(scheduleId, List.of(occurrence), null,
                    "no node could enqueue it within misfire_grace_seconds (its fire failed and was retried too late)");
            log.warn("Schedule {}: occurrence {} recorded missed: enqueued {} late", scheduleId, occurrence,
                    Duration.between(occurrence, now));
            return true;
        }
        int runs = queue.enqueueScheduleOccurrence(scheduleId, occurrence);
        log.trace("Schedule {} occurrence {}: {} runs enqueued", scheduleId, occurrence, runs);
        return true;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
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
        metrics.misfires(caughtUpFor != null, missed.size());
    }

    private record StoredSchedule(Schedule schedule, int misfireGraceSeconds) {
    }
}
