package io.ordinaut.queue;

import org.springframework.context.SmartLifecycle;

/**
 * A node component that is one {@link Duty}: started with the node, stopped before the DataSource goes
 * away. Subclasses say what one round does; public for the other packages' periodic work.
 */
public abstract class PeriodicDuty implements SmartLifecycle {

    private final String name;
    private final long intervalMs;
    private Duty duty;

    protected PeriodicDuty(String name, long intervalMs) {
        this.name = name;
        this.intervalMs = intervalMs;
    }

    /** One round; what it throws is logged and counted by the duty, which runs again at the next interval. */
    protected abstract void round();

    @Override
    public synchronized void start() {
        if (duty == null) {
            duty = new Duty(name, intervalMs, this::round).start();
        }
    }

    @Override
    public synchronized void stop() {
        if (duty != null) {
            duty.stop();
            duty = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return duty != null;
    }

    /** Stops with the executor, before the DataSource goes away. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }
}
