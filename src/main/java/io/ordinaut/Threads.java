package io.ordinaut;

import java.time.Duration;

/** Sleeping without the checked exception, for code that only needs to know whether to go on. */
public final class Threads {

    private Threads() {
    }

    /**
     * Sleeps {@code millis} ms. False when interrupted — the interrupt status is set again, so the
     * caller (and whatever runs after it on the thread) still sees it — true otherwise.
     */
    public static boolean sleepQuietly(long millis) {
        try {
            Thread.sleep(Math.max(0, millis));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public static boolean sleepQuietly(Duration duration) {
        return sleepQuietly(duration.toMillis());
    }
}
