package io.ordinaut.trigger;

import java.time.Instant;
import java.util.UUID;

import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;

/**
 * The only Quartz job: it turns one fire of a shared schedule's trigger into queued runs and returns.
 * Pipelines never run on Quartz threads. Public because Quartz instantiates it by class name.
 */
public class EnqueueOccurrenceJob implements Job {

    private static final Logger log = LoggerFactory.getLogger(EnqueueOccurrenceJob.class);
    private static final int ATTEMPTS = 5;

    private final OccurrenceEnqueuer enqueuer;

    public EnqueueOccurrenceJob(OccurrenceEnqueuer enqueuer) {
        this.enqueuer = enqueuer;
    }

    @Override
    public void execute(JobExecutionContext context) {
        Trigger trigger = context.getTrigger();
        Instant firedAt = context.getFireTime().toInstant();
        if (trigger instanceof ScheduleTrigger scheduleTrigger) {
            UUID scheduleId = UUID.fromString(trigger.getKey().getName());
            // triggered() made the occurrence being fired the trigger's previous fire time; Quartz reports it here.
            Instant occurrence = context.getScheduledFireTime().toInstant();
            Instant previous = context.getPreviousFireTime() == null ? null : context.getPreviousFireTime().toInstant();
            boolean finalFire = trigger.getNextFireTime() == null;
            withRetries(scheduleId, occurrence, () -> enqueuer.enqueue(scheduleId, occurrence, scheduleTrigger.schedule(), previous,
                    firedAt, scheduleTrigger.misfireGraceSeconds(), finalFire));
        } else if (context.isRecovering()) {
            // Re-run after the node that fired this occurrence died mid-job; the fence makes it idempotent.
            JobDataMap data = trigger.getJobDataMap();
            UUID scheduleId = UUID.fromString(data.getString(Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_NAME));
            Instant occurrence = Instant.ofEpochMilli(Long.parseLong(
                    data.getString(Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_SCHEDULED_FIRETIME_IN_MILLISECONDS)));
            withRetries(scheduleId, occurrence, () -> enqueuer.enqueue(scheduleId, occurrence, null, null, firedAt, 0, false));
        } else {
            log.error("Enqueue job fired by unexpected trigger {} of type {}", trigger.getKey(), trigger.getClass().getName());
        }
    }

    // A brief database hiccup must not lose an occurrence (Quartz has already moved the trigger on);
    // any other failure is a bug that retrying would only repeat, so it propagates to Quartz's log.
    private static void withRetries(UUID scheduleId, Instant occurrence, Runnable work) {
        long backoff = 200;
        for (int attempt = 1; ; attempt++) {
            try {
                work.run();
                return;
            } catch (TransientDataAccessException | RecoverableDataAccessException | DataAccessResourceFailureException e) {
                if (attempt == ATTEMPTS) {
                    log.error("Could not enqueue occurrence {} of schedule {} after {} attempts; its runs are lost",
                            occurrence, scheduleId, ATTEMPTS, e);
                    return;
                }
                log.warn("Enqueue of occurrence {} of schedule {} failed ({}); retrying", occurrence, scheduleId, e.getMessage());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff *= 2;
            }
        }
    }
}
