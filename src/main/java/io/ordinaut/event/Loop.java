package io.ordinaut.event;

import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one background action every interval on a daemon thread of its own. An exception is logged and
 * counted, never fatal: the action runs again at the next interval. (The queue package has its own
 * Duty; this package keeps its loops to itself rather than open the queue's internals.)
 */
final class Loop {

    private static final Logger log = LoggerFactory.getLogger(Loop.class);

    private final String name;
    private final long intervalMs;
    private final Runnable action;
    private final AtomicLong failures = new AtomicLong();
    private final Object sleeper = new Object();
    private volatile boolean running = true;
    private Thread thread;

    Loop(String name, long intervalMs, Runnable action) {
        this.name = name;
        this.intervalMs = intervalMs;
        this.action = action;
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
            try {
                action.run();
            } catch (RuntimeException | Error e) {
                if (e instanceof VirtualMachineError) {
                    throw e;
                }
                if (!running) {
                    return;
                }
                long n = failures.incrementAndGet();
                log.warn("{} failed ({} failures so far): {}; retrying in {} ms", name, n, e.toString(), intervalMs);
                log.debug("{} failure", name, e);
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
}
