package io.ordinaut.support;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.ThrowingRunnable;

/**
 * The one way tests wait for something that happens in the background: Awaitility, with a patience that
 * holds when CI runs the whole suite at once on a loaded 2-core machine. The patience only bounds how long a
 * failing test takes; a passing one returns as soon as the condition holds.
 */
public final class Eventually {

    /** How long a condition may take before the test fails. */
    public static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(50);

    private Eventually() {
    }

    /** An Awaitility wait named {@code what}, polling every 50 ms from the start, for at most {@code atMost}. */
    public static ConditionFactory await(String what, Duration atMost) {
        return Awaitility.await(what).atMost(atMost).pollDelay(Duration.ZERO).pollInterval(POLL);
    }

    public static ConditionFactory await(String what) {
        return await(what, PATIENCE);
    }

    public static void until(String what, Callable<Boolean> condition) {
        await(what).until(condition);
    }

    public static void until(String what, Duration atMost, Callable<Boolean> condition) {
        await(what, atMost).until(condition);
    }

    /** Polls {@code value} until it matches and returns the matching value; a timeout names the last value seen. */
    public static <T> T until(String what, Callable<T> value, Predicate<? super T> matches) {
        return until(what, PATIENCE, value, matches);
    }

    public static <T> T until(String what, Duration atMost, Callable<T> value, Predicate<? super T> matches) {
        AtomicReference<T> last = new AtomicReference<>();
        try {
            return await(what, atMost).until(() -> {
                last.set(value.call());
                return last.get();
            }, matches::test);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "; last value: " + last.get(), e);
        }
    }

    /** Retries the assertions until they pass; the last failure is the test's message. */
    public static void untilAsserted(String what, ThrowingRunnable assertions) {
        await(what).untilAsserted(assertions);
    }

    /**
     * Blocks a worker thread of the code under test until the test releases it (or gives up after
     * {@link #PATIENCE}); returns whether it was released. An interrupt ends the wait and is kept.
     */
    public static boolean released(CountDownLatch latch) {
        try {
            return latch.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
