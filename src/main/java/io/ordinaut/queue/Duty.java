package io.ordinaut.queue;

import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one background action every interval on a daemon thread of its own. An exception is logged and
 * counted, never fatal: the duty runs again at the next interval.
 */
final class Duty {

    private static final Logger log = LoggerFactory.getLogger(Duty.class);

    private final String name;
    private final long intervalMs;
    private final Runnable action;
    private final AtomicLong failures = new AtomicLong();
    private final Object sleeper = new Object();
    private volatile boolean running = true;
    private Thread thread;

    Duty(String name, long intervalMs, Runnable action) {
        this.name = name;
        this.intervalMs = intervalMs;
        this.action = action;
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
            try {
                action.run();
            } catch (RuntimeException | Error e) {
                long n = failures.incrementAndGet();
                if (e instanceof VirtualMachineError) {
                    throw e;
                }
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
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
