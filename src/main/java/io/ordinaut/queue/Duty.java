package io.ordinaut.queue;

import io.ordinaut.BackgroundLoop;

/**
 * Runs one background action every interval on a daemon thread of its own, under a
 * {@link BackgroundLoop}: whatever the action throws is logged and counted, never fatal — the duty runs
 * again at the next interval.
 */
final class Duty {

    private final String name;
    private final long intervalMs;
    private final Runnable action;
    private final BackgroundLoop guard;
    private final Object sleeper = new Object();
    private volatile boolean running = true;
    private Thread thread;

    Duty(String name, long intervalMs, Runnable action) {
        this.name = name;
        this.intervalMs = intervalMs;
        this.action = action;
        this.guard = new BackgroundLoop(name);
    }

    String name() {
        return name;
    }

    long failures() {
        return guard.failures();
    }

    Duty start() {
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Stops after the current round (without interrupting it) and waits up to 10 s for the thread. */
    void stop() {
        running = false;
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        while (running) {
            guard.tick(action);
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
}
