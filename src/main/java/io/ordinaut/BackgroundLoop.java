package io.ordinaut;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guard every background loop of a node (claim loop, run recorder, queue listener, the periodic
 * duties, catalog refresh, record retention) runs its rounds under, so that nothing a round throws ends
 * the thread: a loop that died while the node's heartbeat still says "running" would leave its work
 * undone with no one noticing.
 *
 * <p>A failed round is counted ({@link #failures()}) and logged — the first one with its stack trace,
 * then at most one line per {@link #QUIET_SECONDS} seconds carrying the count, so a loop that fails
 * every few milliseconds (a database that is away) does not flood the log. The caller decides what a
 * failed round means for its loop (back off, drop the batch it held) and goes on.
 *
 * <p>Errors are caught too ({@link AssertionError}, {@link StackOverflowError}, {@link LinkageError} from a
 * bad plug-in): the stack has unwound, the loop's state is its own. Only a {@link VirtualMachineError}
 * other than a stack overflow — memory exhausted, an internal JVM error — is rethrown after logging: the
 * JVM is in no state to go on, and the process should be restarted.
 *
 * <p>An {@link InterruptedException} is not a failure: it means the loop is being stopped, and goes to
 * the caller.
 */
public final class BackgroundLoop {

    /** At most one failure line per this many seconds and loop. */
    public static final long QUIET_SECONDS = 10;

    private static final Logger log = LoggerFactory.getLogger(BackgroundLoop.class);
    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(QUIET_SECONDS);

    /** One round of a loop; may wait, and is interrupted when the loop is stopped. */
    @FunctionalInterface
    public interface Round {
        void run() throws InterruptedException;
    }

    private final String name;
    private final AtomicLong failures = new AtomicLong();
    private boolean logged;
    private long loggedAt;
    private long unlogged;

    /** @param name the loop's name in log lines (its thread's name) */
    public BackgroundLoop(String name) {
        this.name = name;
    }

    /**
     * Runs one round. True when it ended normally; false when it threw (logged, counted).
     *
     * @throws InterruptedException when the round was interrupted: the loop is being stopped
     */
    public boolean round(Round round) throws InterruptedException {
        try {
            round.run();
            return true;
        } catch (InterruptedException e) {
            throw e;
        } catch (Throwable t) {
            failed(t);
            return false;
        }
    }

    /**
     * Runs one round of a loop that a timer drives (nothing in it waits): true when it ended normally,
     * false when it threw (logged, counted). An interrupt, should the round see one, is kept on the thread.
     */
    public boolean tick(Runnable round) {
        try {
            return round(round::run);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** An error the JVM cannot go on after (memory exhausted, an internal error); not a stack overflow. */
    public static boolean isFatal(Throwable t) {
        return t instanceof VirtualMachineError && !(t instanceof StackOverflowError);
    }

    /** How many rounds failed since the loop was made. */
    public long failures() {
        return failures.get();
    }

    public String name() {
        return name;
    }

    private synchronized void failed(Throwable t) {
        long count = failures.incrementAndGet();
        boolean fatal = isFatal(t);
        long now = System.nanoTime();
        if (fatal || !logged) {
            log.error("{} failed ({} failures so far){}", name, count, fatal ? "; the JVM cannot go on" : "; it goes on", t);
            logged = true;
            loggedAt = now;
        } else if (now - loggedAt >= QUIET_NANOS) {
            log.warn("{} failed ({} failures so far, {} since the last line): {}", name, count, unlogged + 1, t.toString());
            loggedAt = now;
            unlogged = 0;
        } else {
            unlogged++;
            log.debug("{} failed ({} failures so far)", name, count, t);
        }
        if (fatal) {
            throw (VirtualMachineError) t;
        }
    }
}
