package io.ordinaut.schedule;

import java.time.Instant;

/** Cron fields expanded in the zone's wall-clock time, resolved with the DST rule. */
final class CronSchedule extends BoundedSchedule {

    private final CronExpression cron;

    private CronSchedule(ScheduleDefinition definition, CronExpression cron) {
        super(definition);
        this.cron = cron;
    }

    static CronSchedule compile(ScheduleDefinition d) {
        CronExpression cron = CronExpression.parse(d.expression());
        return new CronSchedule(new ScheduleDefinition(d.kind(), cron.normalised(), d.zone(), d.anchor(),
                d.startAt(), d.endAt()), cron);
    }

    @Override
    InstantCursor cursorAfter(Instant after) {
        return WallClockResolver.after(cron, definition.zone(), after);
    }

    @Override
    public String sharingKey() {
        return SharingKeys.of(definition, true, null);
    }
}
