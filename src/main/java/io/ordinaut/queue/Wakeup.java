package io.ordinaut.queue;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Lets the claim loop sleep until a deadline or until new work (or a free worker) is signalled. */
final class Wakeup {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean signalled;

    void signal() {
        lock.lock();
        try {
            signalled = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Sleeps for up to {@code nanos} or until a signal, whichever comes first. */
    void awaitNanos(long nanos) throws InterruptedException {
        lock.lock();
        try {
            if (!signalled && nanos > 0) {
                changed.awaitNanos(nanos);
            }
            signalled = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sleeps until {@code deadlineNanos} (on {@link System#nanoTime()}: a wait, not a wall-clock time, so a
     * clock step does not stretch it) or a signal, whichever comes first.
     */
    void awaitUntil(long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            while (!signalled) {
                long wait = deadlineNanos - System.nanoTime();
                if (wait <= 0) {
                    break;
                }
                changed.awaitNanos(wait);
            }
            signalled = false;
        } finally {
            lock.unlock();
        }
    }
}
