package io.ordinaut.trigger;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.Optional;

import org.quartz.Calendar;
import org.quartz.ScheduleBuilder;
import org.quartz.SchedulerException;
import org.quartz.impl.triggers.AbstractTrigger;

import io.ordinaut.schedule.Schedule;
import io.ordinaut.schedule.ScheduleDefinition;
import io.ordinaut.schedule.ScheduleKind;
import io.ordinaut.schedule.Schedules;

/**
 * A Quartz trigger whose fire times come from an Ordinaut {@link Schedule} (cron, RRULE, once,
 * interval) — the same code the preview endpoints use, so preview and firing always agree.
 *
 * <p>Misfires (no node was up at an occurrence) are coalesced: the trigger fires once, right away,
 * for the latest missed occurrence within {@code misfireGraceSeconds}, and skips older ones. Quartz
 * only picks up triggers whose next fire time is recent, so the catch-up fire is scheduled "now" and
 * the occurrence it stands for is kept in {@link #catchUpFor}.
 *
 * <p>Public with a no-arg constructor because Quartz rebuilds triggers reflectively on any node.
 */
public class ScheduleTrigger extends AbstractTrigger<ScheduleTrigger> {

    private static final long serialVersionUID = 1L;

    private ScheduleKind kind;
    private String expression;
    private String zoneId;
    private long anchorMillis;
    private int misfireGraceSeconds;
    private Date startTime;
    private Date endTime;
    private Date nextFireTime;
    private Date previousFireTime;
    /** Occurrence a pending catch-up fire stands for; null when the next fire is a regular one. */
    private Date catchUpFor;
    private transient Schedule schedule;

    public ScheduleTrigger() {
    }

    ScheduleTrigger(ScheduleDefinition definition, int misfireGraceSeconds) {
        this.kind = definition.kind();
        this.expression = definition.expression();
        this.zoneId = definition.zone().getId();
        this.anchorMillis = definition.anchor().toEpochMilli();
        this.misfireGraceSeconds = misfireGraceSeconds;
        this.startTime = Date.from(definition.startAt() != null ? definition.startAt() : definition.anchor());
        this.endTime = definition.endAt() == null ? null : Date.from(definition.endAt());
    }

    /**
     * The compiled schedule. Quartz's start time doubles as the schedule's start bound: it is the
     * task's start_at, or the schedule's anchor, and nothing fires before either.
     */
    Schedule schedule() {
        if (schedule == null) {
            schedule = Schedules.compile(new ScheduleDefinition(kind, expression, ZoneId.of(zoneId),
                    Instant.ofEpochMilli(anchorMillis), startTime == null ? null : startTime.toInstant(),
                    endTime == null ? null : endTime.toInstant()));
        }
        return schedule;
    }

    ScheduleKind kind() {
        return kind;
    }

    String expression() {
        return expression;
    }

    String zoneId() {
        return zoneId;
    }

    long anchorMillis() {
        return anchorMillis;
    }

    int misfireGraceSeconds() {
        return misfireGraceSeconds;
    }

    Date catchUpFor() {
        return catchUpFor;
    }

    void restoreState(ScheduleKind kind, String expression, String zoneId, long anchorMillis, int misfireGraceSeconds,
                      Date catchUpFor) {
        this.kind = kind;
        this.expression = expression;
        this.zoneId = zoneId;
        this.anchorMillis = anchorMillis;
        this.misfireGraceSeconds = misfireGraceSeconds;
        this.catchUpFor = catchUpFor;
        this.schedule = null;
    }

    @Override
    public void triggered(Calendar calendar) {
        // The occurrence being fired becomes the previous fire time, which Quartz hands the job as
        // its scheduled fire time — for a catch-up fire that is the missed occurrence, not "now".
        Date fired = catchUpFor != null ? catchUpFor : nextFireTime;
        previousFireTime = fired;
        catchUpFor = null;
        nextFireTime = fired == null ? null : getFireTimeAfter(fired);
    }

    // The system clock below, not the application's Clock, on purpose: these are Quartz callbacks, and Quartz
    // decides what is due and what misfired by System.currentTimeMillis(); a trigger reading another clock
    // would disagree with its own scheduler. (The trigger is also serialized into the job store: it holds
    // no beans.)

    @Override
    public Date computeFirstFireTime(Calendar calendar) {
        // A start bound in the past must not produce a burst of "missed" fires for a new trigger.
        long from = Math.max(startTime.getTime() - 1, System.currentTimeMillis());
        nextFireTime = getFireTimeAfter(new Date(from));
        return nextFireTime;
    }

    @Override
    public void updateAfterMisfire(Calendar calendar) {
        if (nextFireTime == null) {
            return;
        }
        Instant now = Instant.now();
        Instant graceStart = now.minusSeconds(misfireGraceSeconds);
        Instant earliestMissed = nextFireTime.toInstant();
        Optional<Instant> latest = schedule().latestBetween(graceStart.isAfter(earliestMissed) ? graceStart : earliestMissed, now);
        if (latest.isPresent() && withinEnd(latest.get())) {
            catchUpFor = Date.from(latest.get());
            nextFireTime = Date.from(now);
        } else {
            catchUpFor = null;
            nextFireTime = getFireTimeAfter(Date.from(now));
        }
    }

    @Override
    public void updateWithNewCalendar(Calendar calendar, long misfireThreshold) {
        // Ordinaut never attaches Quartz calendars; exclusions are part of the schedule itself.
    }

    @Override
    public void validate() throws SchedulerException {
        super.validate();
        if (kind == null || expression == null || zoneId == null) {
            throw new SchedulerException("ScheduleTrigger " + getKey() + " has no schedule definition");
        }
    }

    @Override
    protected boolean validateMisfireInstruction(int instruction) {
        return instruction == MISFIRE_INSTRUCTION_SMART_POLICY;
    }

    @Override
    public Date getFireTimeAfter(Date after) {
        Instant from = after == null ? Instant.now() : after.toInstant();
        Optional<Instant> next = schedule().nextAfter(from);
        return next.filter(this::withinEnd).map(Date::from).orElse(null);
    }

    private boolean withinEnd(Instant instant) {
        return endTime == null || !instant.isAfter(endTime.toInstant());
    }

    @Override
    public Date getFinalFireTime() {
        return null;
    }

    @Override
    public boolean mayFireAgain() {
        return nextFireTime != null;
    }

    @Override
    public Date getStartTime() {
        return startTime;
    }

    @Override
    public void setStartTime(Date startTime) {
        this.startTime = startTime;
        this.schedule = null;
    }

    @Override
    public Date getEndTime() {
        return endTime;
    }

    @Override
    public void setEndTime(Date endTime) {
        this.endTime = endTime;
        this.schedule = null;
    }

    @Override
    public Date getNextFireTime() {
        return nextFireTime;
    }

    @Override
    public Date getPreviousFireTime() {
        return previousFireTime;
    }

    @Override
    public void setNextFireTime(Date nextFireTime) {
        this.nextFireTime = nextFireTime;
    }

    @Override
    public void setPreviousFireTime(Date previousFireTime) {
        this.previousFireTime = previousFireTime;
    }

    @Override
    public ScheduleBuilder<ScheduleTrigger> getScheduleBuilder() {
        return new ScheduleTriggerBuilder(kind, expression, zoneId, anchorMillis, misfireGraceSeconds, catchUpFor);
    }
}
