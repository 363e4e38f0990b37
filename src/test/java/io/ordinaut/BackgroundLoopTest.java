package io.ordinaut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

class BackgroundLoopTest {

    @Test
    void a_loop_whose_rounds_throw_errors_keeps_running_and_counts_each_failure() {
        // given a loop on a thread of its own whose first rounds throw Errors of several kinds
        List<Supplier<Error>> errors = List.of(
                () -> new AssertionError("broken invariant"),
                StackOverflowError::new,
                () -> new LinkageError("plug-in missing a class"),
                () -> new CustomError("bug"));
        BackgroundLoop guard = new BackgroundLoop("test-loop");
        AtomicInteger rounds = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        List<Boolean> outcomes = new CopyOnWriteArrayList<>();
        Thread thread = new Thread(() -> {
            while (completed.get() < 3) {
                try {
                    outcomes.add(guard.round(() -> {
                        int round = rounds.getAndIncrement();
                        if (round < errors.size()) {
                            throw errors.get(round).get();
                        }
                        completed.incrementAndGet();
                    }));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "test-loop");
        thread.setDaemon(true);

        // when it runs
        thread.start();

        // then every error was counted, the thread went on past them, and completed later rounds
        await().atMost(Duration.ofSeconds(10)).until(() -> !thread.isAlive());
        assertThat(completed).hasValue(3);
        assertThat(guard.failures()).isEqualTo(4);
        assertThat(outcomes).containsExactly(false, false, false, false, true, true, true);
    }

    @Test
    void a_timer_tick_that_throws_an_error_returns_instead_of_throwing() {
        BackgroundLoop guard = new BackgroundLoop("test-timer");

        boolean ok = guard.tick(() -> {
            throw new CustomError("bug");
        });

        assertThat(ok).isFalse();
        assertThat(guard.failures()).isEqualTo(1);
        assertThat(guard.tick(() -> { })).isTrue();
        assertThat(guard.failures()).isEqualTo(1);
    }

    @Test
    void an_out_of_memory_error_is_counted_and_then_rethrown() {
        BackgroundLoop guard = new BackgroundLoop("test-loop");

        assertThatThrownBy(() -> guard.round(() -> {
            throw new OutOfMemoryError("simulated");
        })).isInstanceOf(OutOfMemoryError.class);
        assertThat(guard.failures()).isEqualTo(1);
    }

    @Test
    void an_interrupt_is_not_a_failure_and_reaches_the_caller() {
        BackgroundLoop guard = new BackgroundLoop("test-loop");

        assertThatThrownBy(() -> guard.round(() -> {
            throw new InterruptedException("stopping");
        })).isInstanceOf(InterruptedException.class);
        assertThat(guard.failures()).isZero();
    }

    @Test
    void sleep_quietly_keeps_the_interrupt_for_the_caller() {
        Thread.currentThread().interrupt();
        try {
            assertThat(Threads.sleepQuietly(5_000)).isFalse();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(Threads.sleepQuietly(1)).isTrue();
    }

    private static final class CustomError extends Error {
        CustomError(String message) {
            super(message);
        }
    }
}
