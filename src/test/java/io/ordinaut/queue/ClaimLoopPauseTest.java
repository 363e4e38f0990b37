package io.ordinaut.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** How long the claim loop sleeps after a claim that found less than it wanted. */
class ClaimLoopPauseTest {

    private static final long POLL = 1000;

    @Test
    void a_run_due_within_the_millisecond_wakes_the_loop_a_millisecond_later_not_after_a_back_off() {
        // given the earliest run is due in less than a millisecond (the database rounds down to 0)
        // when the loop computes its pause, then it sleeps 1 ms and resets the back-off
        assertThat(ClaimLoop.pause(Optional.of(Duration.ZERO), 20, POLL)).isEqualTo(new ClaimLoop.Pause(1, 20));
        assertThat(ClaimLoop.pause(Optional.of(Duration.ZERO), 640, POLL)).isEqualTo(new ClaimLoop.Pause(1, 20));
    }

    @Test
    void a_run_due_later_wakes_the_loop_just_past_its_run_at_and_never_later_than_the_poll_interval() {
        assertThat(ClaimLoop.pause(Optional.of(Duration.ofMillis(250)), 80, POLL)).isEqualTo(new ClaimLoop.Pause(251, 20));
        assertThat(ClaimLoop.pause(Optional.of(Duration.ofMillis(5_000)), 80, POLL)).isEqualTo(new ClaimLoop.Pause(POLL, 20));
    }

    @Test
    void an_overdue_run_that_could_not_be_claimed_backs_off_doubling_up_to_the_poll_interval() {
        assertThat(ClaimLoop.pause(Optional.of(Duration.ofMillis(-3)), 20, POLL)).isEqualTo(new ClaimLoop.Pause(20, 40));
        assertThat(ClaimLoop.pause(Optional.of(Duration.ofMillis(-3)), 640, POLL)).isEqualTo(new ClaimLoop.Pause(640, POLL));
    }

    @Test
    void an_empty_queue_sleeps_the_poll_interval_unless_woken() {
        assertThat(ClaimLoop.pause(Optional.empty(), 40, POLL)).isEqualTo(new ClaimLoop.Pause(POLL, 40));
    }
}
