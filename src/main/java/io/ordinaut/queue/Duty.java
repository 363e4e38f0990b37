package io.ordinaut.queue;

import io.ordinaut.BackgroundLoop;

/**
 * Runs one background action every interval on a daemon thread of its own, under a
 * {@link BackgroundLoop}: whatever the action throws is logged and counted, never fatal — the duty runs
 * again at the next interval. Public for the other packages' periodic work (the event relay, webhooks).
 */
public final class Duty {

    private final String name;
    private final long intervalMs;
    private final Runnable action;
    private final boolean interruptOnStop;
    private final BackgroundLoop guard;
    private final Object sleeper = new Object();
    private volatile boolean running = true;
    private Thread thread;

    /** A duty whose current round finishes before it stops. */
    public Duty(String name, long intervalMs, Runnable action) {
        this(name, intervalMs, action, false);
    }

    /**
     * @param interruptOnStop stop interrupts the current round (a blocking read, such as Redis XREADGROUP);
     *                        what the interrupted round throws is the stop, not a failure
     */
    public Duty(String name, long intervalMs, Runnable action, boolean interruptOnStop) {
        this.name = name;
        this.intervalMs = intervalMs;
        this.action = action;
        this.interruptOnStop = interruptOnStop;
        this.guard = new BackgroundLoop(name);
    }

    public String name() {
        return name;
    }

    public long failures() {
        return guard.failures();
    }

    public Duty start() {
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Runs the action again now instead of at the end of the interval. */
    public void wake() {
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
    }

    /** Stops after the current round (interrupting it if so made) and waits up to 10 s for the thread. */
    public void stop() {
        running = false;
        wake();
        if (thread != null && thread != Thread.currentThread()) {
            if (interruptOnStop) {
                thread.interrupt();
            }
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        while (running) {
            guard.tick(this::runUnlessStopping);
            synchronized (sleeper) {
                if (!running) {
                    break;
                }
                try {
                    sleeper.wait(intervalMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void runUnlessStopping() {
        try {
            action.run();
        } catch (RuntimeException e) {
            if (running) {
                throw e;
            }
        }
    }
}
