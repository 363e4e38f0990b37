package io.ordinaut.trigger;

import java.time.Instant;
import java.util.UUID;

import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;

import io.ordinaut.Threads;

/**
 * The only Quartz job: it turns one fire of a shared schedule's trigger into queued runs and returns.
 * Pipelines never run on Quartz threads. Public because Quartz instantiates it by class name.
 *
 * <p>A fire is never dropped after a log line. A failing enqueue is retried a few times in place; then
 * the fire is handed back to Quartz ({@link JobExecutionException} with refire), which runs it again —
 * for as long as the database is unreachable, and up to {@link #MAX_REFIRES} times for any other
 * failure. If the node dies meanwhile, Quartz recovers the fire on another node (the job requests
 * recovery). A fire given up after all is handled by the schedule's next fire, which checks the
 * occurrence before it in the ledger (see {@link OccurrenceEnqueuer}).
 */
public class EnqueueOccurrenceJob implements Job {

    private static final Logger log = LoggerFactory.getLogger(EnqueueOccurrenceJob.class);
    static final int ATTEMPTS = 5;
    /** Refires for failures that are not the database being unreachable (those refire without limit). */
    static final int MAX_REFIRES = 20;
    private static final long FIRST_BACKOFF_MILLIS = 200;
    private static final long MAX_BACKOFF_MILLIS = 2_000;

    private final OccurrenceEnqueuer enqueuer;

    public EnqueueOccurrenceJob(OccurrenceEnqueuer enqueuer) {
        this.enqueuer = enqueuer;
    }

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        Trigger trigger = context.getTrigger();
        Instant firedAt = context.getFireTime().toInstant();
        if (trigger instanceof ScheduleTrigger scheduleTrigger) {
            UUID scheduleId = UUID.fromString(trigger.getKey().getName());
            // triggered() made the occurrence being fired the trigger's previous fire time; Quartz reports it here.
            Instant occurrence = context.getScheduledFireTime().toInstant();
            Instant previous = context.getPreviousFireTime() == null ? null : context.getPreviousFireTime().toInstant();
            boolean finalFire = trigger.getNextFireTime() == null;
            withRetries(context, scheduleId, occurrence, () -> enqueuer.enqueue(scheduleId, occurrence, scheduleTrigger.schedule(),
                    previous, firedAt, scheduleTrigger.misfireGraceSeconds(), finalFire));
        } else if (context.isRecovering()) {
            // Re-run after the node that fired this occurrence died mid-job; the ledger makes it idempotent.
            JobDataMap data = trigger.getJobDataMap();
            UUID scheduleId = UUID.fromString(data.getString(Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_NAME));
            Instant dueAt = Instant.ofEpochMilli(Long.parseLong(
                    data.getString(Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_SCHEDULED_FIRETIME_IN_MILLISECONDS)));
            withRetries(context, scheduleId, dueAt, () -> enqueuer.recover(scheduleId, dueAt, firedAt));
        } else {
            log.error("Enqueue job fired by unexpected trigger {} of type {}", trigger.getKey(), trigger.getClass().getName());
        }
    }

    // A brief database hiccup is retried in place (Quartz has already moved the trigger on); past that the
    // fire goes back to Quartz rather than being lost.
    private static void withRetries(JobExecutionContext context, UUID scheduleId, Instant occurrence, Runnable work)
            throws JobExecutionException {
        long backoff = FIRST_BACKOFF_MILLIS;
        for (int attempt = 1; ; attempt++) {
            try {
                work.run();
                return;
            } catch (RuntimeException e) {
                if (attempt == ATTEMPTS) {
                    throw handBack(context, scheduleId, occurrence, e);
                }
                log.warn("Enqueue of occurrence {} of schedule {} failed ({}); retrying", occurrence, scheduleId, e.getMessage());
                if (!Threads.sleepQuietly(backoff)) {
                    log.error("Enqueue of occurrence {} of schedule {} interrupted; the schedule's next fire (or recovery) handles it",
                            occurrence, scheduleId);
                    throw new JobExecutionException("Enqueue of occurrence " + occurrence + " of schedule " + scheduleId
                            + " interrupted", e, false);
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    private static JobExecutionException handBack(JobExecutionContext context, UUID scheduleId, Instant occurrence,
                                                  RuntimeException e) {
        boolean unreachable = e instanceof TransientDataAccessException || e instanceof RecoverableDataAccessException
                || e instanceof DataAccessResourceFailureException || e instanceof CannotCreateTransactionException;
        boolean refire = unreachable || context.getRefireCount() < MAX_REFIRES;
        if (refire) {
            log.warn("Enqueue of occurrence {} of schedule {} failed {} times ({}); handing the fire back to Quartz to run again",
                    occurrence, scheduleId, ATTEMPTS, e.getMessage());
        } else {
            log.error("Enqueue of occurrence {} of schedule {} keeps failing; giving up this fire: the schedule's next fire "
                    + "enqueues it or records it missed", occurrence, scheduleId, e);
        }
        return new JobExecutionException("Enqueue of occurrence " + occurrence + " of schedule " + scheduleId + " failed: "
                + e.getMessage(), e, refire);
    }
}
