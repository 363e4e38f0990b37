package io.ordinaut.tool;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Every refresh interval, brings this node's copy of the tool catalog up to date with changes made
 * through other nodes. A failure (database briefly away) is logged and counted; the old copy keeps
 * serving and the next tick tries again.
 */
final class RefreshToolCatalog implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RefreshToolCatalog.class);

    private final ToolCatalog catalog;
    private final Duration interval;
    private final AtomicLong failures = new AtomicLong();
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

    private void tick() {
        try {
            catalog.refreshIfChanged();
        } catch (RuntimeException e) {
            long count = failures.incrementAndGet();
            log.warn("Tool catalog refresh failed ({} so far): {}", count, e.toString());
        }
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
        return failures.get();
    }
}
