package io.ordinaut.trigger;

import java.util.Date;

import org.quartz.ScheduleBuilder;
import org.quartz.spi.MutableTrigger;

import io.ordinaut.schedule.ScheduleKind;

/** Rebuilds a {@link ScheduleTrigger} from its persisted properties (Quartz's TriggerBuilder calls this). */
final class ScheduleTriggerBuilder extends ScheduleBuilder<ScheduleTrigger> {

    private final ScheduleKind kind;
    private final String expression;
    private final String zoneId;
    private final long anchorMillis;
    private final int misfireGraceSeconds;
    private final Date catchUpFor;

    ScheduleTriggerBuilder(ScheduleKind kind, String expression, String zoneId, long anchorMillis, int misfireGraceSeconds,
                           Date catchUpFor) {
        this.kind = kind;
        this.expression = expression;
        this.zoneId = zoneId;
        this.anchorMillis = anchorMillis;
        this.misfireGraceSeconds = misfireGraceSeconds;
        this.catchUpFor = catchUpFor;
    }

    @Override
    protected MutableTrigger build() {
        ScheduleTrigger trigger = new ScheduleTrigger();
        trigger.restoreState(kind, expression, zoneId, anchorMillis, misfireGraceSeconds, catchUpFor);
        return trigger;
    }
}
