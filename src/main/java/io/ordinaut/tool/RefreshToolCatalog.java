package io.ordinaut.tool;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.springframework.context.SmartLifecycle;

import io.ordinaut.BackgroundLoop;

/**
 * Every refresh interval, brings this node's copy of the tool catalog up to date with changes made
 * through other nodes. A failure (database briefly away) is logged and counted by its
 * {@link BackgroundLoop}; the old copy keeps serving and the next tick tries again.
 */
final class RefreshToolCatalog implements SmartLifecycle {

    private final ToolCatalog catalog;
    private final Duration interval;
    private final BackgroundLoop guard = new BackgroundLoop("ordinaut-tool-catalog");
    private ScheduledExecutorService timer;

    RefreshToolCatalog(ToolCatalog catalog, Duration interval) {
        this.catalog = catalog;
        this.interval = interval;
    }

    @Override
    public synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "ordinaut-tool-catalog");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Never throws: a task that throws is never run again by a scheduled executor. */
    private void tick() {
        guard.tick(catalog::refreshIfChanged);
    }

    @Override
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return timer != null;
    }

    long failures() {
        return guard.failures();
    }
}
