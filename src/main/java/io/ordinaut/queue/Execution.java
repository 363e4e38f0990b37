package io.ordinaut.queue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.ordinaut.pipeline.PipelineProgress;
import io.ordinaut.pipeline.PipelineResult;

/**
 * One claimed run on this node, from claim to record. Several parties may want to end it — the worker
 * with its result, the timeout watchdog, a cancel request, a lost lease, shutdown — and exactly one
 * wins: whoever {@link #settle settles} it first writes (or drops) its outcome.
 */
final class Execution {

    private final ClaimedRun run;
    private final int timeoutSeconds;
    private final Instant claimedAt;
    private final Instant deadline;
    private final PipelineProgress progress = new PipelineProgress();
    private final AtomicBoolean settled = new AtomicBoolean();
    private volatile Instant startedAt;
    /** System.nanoTime() when the worker took it up; meaningful once startedAt is set. */
    private volatile long beganNanos;
    private Thread thread;
    /** progress.changes() when the lease renewal last took it; the renewal's thread alone uses it. */
    private int progressTaken;

    Execution(ClaimedRun run, int timeoutSeconds, Instant claimedAt) {
        this.run = run;
        this.timeoutSeconds = timeoutSeconds;
        this.claimedAt = claimedAt;
        this.deadline = claimedAt.plusSeconds(timeoutSeconds);
    }

    ClaimedRun run() {
        return run;
    }

    /** The run's timeout, counted from its claim. */
    Instant deadline() {
        return deadline;
    }

    int timeoutSeconds() {
        return timeoutSeconds;
    }

    /** When the worker began executing it; null while it waits for its thread. */
    Instant startedAt() {
        return startedAt;
    }

    /** What its pipeline did so far, kept up to date by the handler. */
    PipelineProgress progress() {
        return progress;
    }

    /**
     * Its progress when it changed since the lease renewal last took it, else null. For the renewal's
     * thread only: it writes the progress with the lease, for a node that may have to reclaim the run.
     */
    Map<String, Object> progressToWrite() {
        int changes = progress.changes();
        if (changes == progressTaken) {
            return null;
        }
        progressTaken = changes;
        return progress.sofar();
    }

    /** The renewal that took the progress failed: the next one takes it again. */
    void progressNotWritten() {
        progressTaken = 0;
    }

    /**
     * The attempt's result when it is ended for {@code reason} before it returns (timeout, cancel,
     * shutdown): the output and trace of the steps that finished, and an error that names the step it was
     * in. Only for the party that settled it: a worker that had not begun never will.
     */
    RunResult cut(String reason) {
        if (startedAt == null) {
            return RunResult.failed(reason + " before a worker took it up", true, null);
        }
        PipelineResult cut = progress.cut(reason);
        return RunResult.failed(cut.error(), true, cut.output());
    }

    /**
     * The clock of the attempt's record: this node's clock moved into the frame of the claim's started_at,
     * which the database stamped (its {@code now()}, the claim transaction's start). The node's clock may be
     * off from the database's, and the claim reaches the node some time after it was stamped; reading the
     * node's clock plain, steps would be stamped after the run's finished_at (or before its started_at).
     * Through this clock the run's start, every step and the end of the attempt are one timeline: the
     * steps fall between started_at and finished_at whatever the node's clock says — at no cost, as it is
     * the same offset {@link #endedAt} adds.
     */
    Clock runClock(Clock node) {
        return Clock.offset(node, Duration.between(claimedAt, run.startedAt()));
    }

    /**
     * When the attempt ended, for its record: the claim's started_at (the database's clock) plus the time
     * since, measured on this node — the instant {@link #runClock} shows at {@code now}. Both stamps then
     * come from one clock, so a node whose clock is off records neither an end before the start nor a
     * wrong duration. (The time is counted from when the claim reached this node, a round trip after the
     * database stamped it.) Read {@code now} after taking the run's progress, so that no step of the
     * record ends after it.
     */
    Instant endedAt(Instant now) {
        return run.startedAt().plus(Duration.between(claimedAt, now));
    }

    /** True when a worker has been executing it for longer than {@code nanos}. */
    boolean runningLongerThan(long nanos, long now) {
        return startedAt != null && !settled.get() && now - beganNanos > nanos;
    }

    boolean isSettled() {
        return settled.get();
    }

    /** True for the one caller that gets to decide how the run ends. */
    boolean settle() {
        return settled.compareAndSet(false, true);
    }

    /**
     * The worker is about to execute the run; false when another party settled it first (it must not
     * start). Together with {@link #settleBeforeStart} this decides, without a gap, whether a run started.
     */
    synchronized boolean begin(Thread worker, Instant at) {
        if (settled.get()) {
            return false;
        }
        this.thread = worker;
        this.beganNanos = System.nanoTime();
        this.startedAt = at;
        return true;
    }

    /** Settles a run that has not begun, so that it never will; false when it began or was settled already. */
    synchronized boolean settleBeforeStart() {
        return startedAt == null && settled.compareAndSet(false, true);
    }

    /**
     * Forgets the worker thread. After this an {@link #interrupt} cannot reach the thread (which may be
     * running another run by then); the caller clears any interrupt that arrived before.
     */
    synchronized void detach() {
        this.thread = null;
    }

    synchronized void interrupt() {
        if (thread != null) {
            thread.interrupt();
        }
    }
}
