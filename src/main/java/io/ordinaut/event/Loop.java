package io.ordinaut.event;

import io.ordinaut.BackgroundLoop;

/**
 * Runs one background action every interval on a daemon thread of its own, under the node's one loop
 * guard ({@link BackgroundLoop}): a failure is logged and counted, never fatal. Unlike the queue's duties
 * an event loop can be woken early (new outbox rows) and is interrupted on stop (a blocking Redis read).
 */
final class Loop {

    private final String name;
    private final long intervalMs;
    private final Runnable action;
    private final BackgroundLoop guard;
    private final Object sleeper = new Object();
    private volatile boolean running = true;
    private Thread thread;

    Loop(String name, long intervalMs, Runnable action) {
        this.name = name;
        this.intervalMs = intervalMs;
        this.action = action;
        this.guard = new BackgroundLoop(name);
    }

    Loop start() {
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Runs the action again now instead of at the end of the interval. */
    void wake() {
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
    }

    void stop() {
        running = false;
        wake();
        if (thread != null && thread != Thread.currentThread()) {
            thread.interrupt();
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
            if (!running) {
                return;
            }
            synchronized (sleeper) {
                if (!running) {
                    break;
                }
                try {
                    sleeper.wait(intervalMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    // stop() interrupts a blocking read (Redis XREADGROUP); what that throws is the stop, not a failure.
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
