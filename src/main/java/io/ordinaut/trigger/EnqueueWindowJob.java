package io.ordinaut.trigger;

import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Quartz job of the window triggers ({@code ordinaut.trigger.mode=windows}): one fire enqueues the
 * occurrences of its group's schedules inside the horizon (see {@link WindowFirer}). Public because
 * Quartz instantiates it by class name.
 *
 * <p>A failed fire is not handed back to Quartz: the group's next fire, one window later, takes the same
 * schedules (their next_fire_at did not move) while the horizon still covers their occurrences. A fire
 * that Quartz recovers after its node died is skipped for the same reason.
 *
 * <p>Quartz's standby lets a fire already running finish; the fire itself stops at its next batch once
 * the cluster is in standby ({@link WindowFirer#fire(int)}), so a cluster standby command that has
 * answered is not followed by a window enqueue.
 */
public class EnqueueWindowJob implements Job {

    private static final Logger log = LoggerFactory.getLogger(EnqueueWindowJob.class);
    static final String GROUP_KEY = "group";

    private final WindowFirer firer;

    public EnqueueWindowJob(WindowFirer firer) {
        this.firer = firer;
    }

    @Override
    public void execute(JobExecutionContext context) {
        if (context.isRecovering()) {
            log.debug("Recovered window fire {}: the group's next fire handles it", context.getTrigger().getKey());
            return;
        }
        int group = context.getMergedJobDataMap().getInt(GROUP_KEY);
        try {
            WindowFirer.Result result = firer.fire(group);
            log.trace("Window fire of group {}: {} schedules, {} runs", group, result.schedules(), result.runs());
        } catch (RuntimeException e) {
            log.warn("Window fire of group {} failed ({}); its next fire takes the same schedules", group, e.getMessage(), e);
        }
    }
}
