package io.ordinaut.trigger;

import java.time.Duration;
import java.util.Locale;

import org.springframework.boot.context.properties.ConfigurationProperties;

import io.ordinaut.config.Setting;

/**
 * ordinaut.trigger.*: how shared schedules are fired. Every node must use the same values.
 *
 * @param mode      {@code windows} (default): {@code groups} Quartz triggers fire every {@code window} and
 *                  enqueue every occurrence inside the {@code horizon} with its exact run_at, so Quartz
 *                  fires {@code groups / window} times a second however many schedules exist.
 *                  {@code per-schedule}: one Quartz trigger per shared schedule, one Quartz fire per
 *                  occurrence — kept as the way back for a cluster upgraded from it (a switch either way
 *                  is applied at start-up by FiringMode)
 * @param groups    number of window triggers (default 4); schedules are spread over them by a bucket
 * @param window    how often each window trigger fires (default 5 s)
 * @param horizon   how far ahead a window fire enqueues (default 10 s); at least the window, so every
 *                  occurrence is enqueued before it is due even when a fire is a little late
 * @param batchSize schedules handled per transaction of a window fire (default 1,000)
 * @param outageThreshold how late a window fire may first handle an occurrence before that counts as an
 *                  outage (default 30 s). The occurrence should have been enqueued {@code horizon - window}
 *                  ahead, so it is then {@code horizon - window + outageThreshold} overdue: no node enqueued
 *                  it, and the task's misfire rule applies (one catch-up run, the rest recorded missed).
 *                  Shorter is not safer: a node killed mid-window leaves the window triggers it had
 *                  acquired to Quartz's cluster recovery (its check-in interval + 7.5 s, then the next
 *                  fire), and the occurrences of those groups must still run, late, not be coalesced
 */
@ConfigurationProperties("ordinaut.trigger")
public record TriggerProperties(String mode, Integer groups, Duration window, Duration horizon, Integer batchSize,
                                Duration outageThreshold) {

    static final String PER_SCHEDULE = "per-schedule";
    static final String WINDOWS = "windows";
    static final int DEFAULT_GROUPS = 4;
    static final Duration DEFAULT_WINDOW = Duration.ofSeconds(5);
    static final Duration DEFAULT_HORIZON = Duration.ofSeconds(10);
    static final int DEFAULT_BATCH_SIZE = 1_000;
    static final Duration DEFAULT_OUTAGE_THRESHOLD = Duration.ofSeconds(30);

    public TriggerProperties {
        mode = mode == null || mode.isBlank() ? WINDOWS : mode.trim().toLowerCase(Locale.ROOT);
        if (!mode.equals(PER_SCHEDULE) && !mode.equals(WINDOWS)) {
            throw Setting.invalid("ordinaut.trigger.mode", mode, "windows or per-schedule");
        }
        groups = Setting.between("ordinaut.trigger.groups", groups, DEFAULT_GROUPS, 1, 1024);
        window = Setting.atLeast("ordinaut.trigger.window", window, DEFAULT_WINDOW, Duration.ofMillis(100));
        horizon = horizon == null ? DEFAULT_HORIZON : horizon;
        if (horizon.compareTo(window) < 0) {
            throw Setting.invalid("ordinaut.trigger.horizon", horizon, "a duration of at least ordinaut.trigger.window ("
                    + Setting.text(window) + ")");
        }
        outageThreshold = Setting.atLeast("ordinaut.trigger.outage-threshold", outageThreshold, DEFAULT_OUTAGE_THRESHOLD, Duration.ZERO);
        batchSize = Setting.atLeast("ordinaut.trigger.batch-size", batchSize, DEFAULT_BATCH_SIZE, 1);
    }

    boolean windows() {
        return WINDOWS.equals(mode);
    }
}
