package io.ordinaut.trigger;

import java.util.Date;

import org.quartz.impl.jdbcjobstore.SimplePropertiesTriggerPersistenceDelegateSupport;
import org.quartz.impl.jdbcjobstore.SimplePropertiesTriggerProperties;
import org.quartz.impl.jdbcjobstore.TriggerPersistenceDelegate;
import org.quartz.spi.OperableTrigger;

import io.ordinaut.schedule.ScheduleKind;

/**
 * Stores {@link ScheduleTrigger}s in QRTZ_SIMPROP_TRIGGERS so any node can load and fire them after a
 * restart. Registered through {@code org.quartz.jobStore.driverDelegateInitString}.
 *
 * <p>Columns: STR_PROP_1 kind, STR_PROP_2 zone, STR_PROP_3 normalised expression (TEXT in our schema),
 * LONG_PROP_1 anchor (epoch ms), LONG_PROP_2 pending catch-up occurrence (epoch ms, 0 = none),
 * INT_PROP_1 misfire grace seconds.
 */
public class ScheduleTriggerPersistenceDelegate extends SimplePropertiesTriggerPersistenceDelegateSupport {

    /** Quartz's TRIGGER_TYPE column holds at most 8 characters. */
    static final String DISCRIMINATOR = "ORDINAUT";

    @Override
    public String getHandledTriggerTypeDiscriminator() {
        return DISCRIMINATOR;
    }

    @Override
    public boolean canHandleTriggerType(OperableTrigger trigger) {
        return trigger instanceof ScheduleTrigger;
    }

    @Override
    protected SimplePropertiesTriggerProperties getTriggerProperties(OperableTrigger trigger) {
        ScheduleTrigger t = (ScheduleTrigger) trigger;
        SimplePropertiesTriggerProperties props = new SimplePropertiesTriggerProperties();
        props.setString1(t.kind().name());
        props.setString2(t.zoneId());
        props.setString3(t.expression());
        props.setLong1(t.anchorMillis());
        props.setLong2(t.catchUpFor() == null ? 0L : t.catchUpFor().getTime());
        props.setInt1(t.misfireGraceSeconds());
        return props;
    }

    @Override
    protected TriggerPersistenceDelegate.TriggerPropertyBundle getTriggerPropertyBundle(SimplePropertiesTriggerProperties props) {
        Date catchUp = props.getLong2() == 0L ? null : new Date(props.getLong2());
        ScheduleTriggerBuilder builder = new ScheduleTriggerBuilder(ScheduleKind.valueOf(props.getString1()), props.getString3(),
                props.getString2(), props.getLong1(), props.getInt1(), catchUp);
        return new TriggerPersistenceDelegate.TriggerPropertyBundle(builder, new String[0], new Object[0]);
    }
}
