package io.ordinaut.trigger;

import java.util.concurrent.atomic.AtomicLong;

import org.quartz.JobExecutionContext;
import org.quartz.Trigger;
import org.quartz.listeners.TriggerListenerSupport;

/** Counts the Quartz fires of this node (an operator's figure: fires per second are what Quartz's lock bounds). */
final class FireCounter extends TriggerListenerSupport {

    private final AtomicLong fires = new AtomicLong();

    @Override
    public String getName() {
        return "ordinaut-fire-counter";
    }

    @Override
    public void triggerFired(Trigger trigger, JobExecutionContext context) {
        fires.incrementAndGet();
    }

    long fires() {
        return fires.get();
    }
}
