package io.ordinaut.trigger;

import java.util.concurrent.atomic.AtomicLong;

import org.quartz.JobExecutionContext;
import org.quartz.Trigger;
import org.quartz.listeners.TriggerListenerSupport;

import io.ordinaut.metrics.OrdinautMetrics;

/** Counts the Quartz fires of this node (an operator's figure: fires per second are what Quartz's lock bounds). */
final class FireCounter extends TriggerListenerSupport {

    private final AtomicLong fires = new AtomicLong();
    private final OrdinautMetrics metrics;

    FireCounter(OrdinautMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public String getName() {
        return "ordinaut-fire-counter";
    }

    @Override
    public void triggerFired(Trigger trigger, JobExecutionContext context) {
        fires.incrementAndGet();
        metrics.quartzFired(ScheduleRegistry.JOB_KEY.equals(context.getJobDetail().getKey()) ? "occurrence"
                : FiringMode.WINDOW_JOB_KEY.equals(context.getJobDetail().getKey()) ? "window" : OrdinautMetrics.OTHER);
    }

    long fires() {
        return fires.get();
    }
}
