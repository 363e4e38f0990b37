package io.ordinaut.queue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.PessimisticLockingFailureException;

import io.ordinaut.BackgroundLoop;
import io.ordinaut.Threads;
import io.ordinaut.metrics.OrdinautMetrics;

/**
 * Claims due runs in batches as workers free up, and sleeps until the earliest known run_at or a
 * wake-up (NOTIFY from any node, a finished run here) — never a fixed polling interval while work is
 * near. When due runs exist that it could not take (another node's claim holds them, or an overlap
 * policy or concurrency key holds them back) it backs off from 20 ms up to the poll interval. While
 * most of its room is taken it waits up to 2 ms for half of it (at most a batch) to free up, so a busy
 * node claims in sizeable batches; an idle node claims at once. Its room is one run per worker plus,
 * while runs are short, the runs {@link RunPace} lets it claim ahead, so the next claim is in flight
 * while the workers still have runs in hand. A round that fails (the database away, a bug) is logged and
 * counted by its {@link BackgroundLoop}, and the loop claims again after a pause.
 */
final class ClaimLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ClaimLoop.class);
    private static final long MIN_BACKOFF_MS = 20;
    private static final long GATHER_NANOS = 2_000_000;
    private static final long FAILURE_PAUSE_MS = 500;

    private final Claims claims;
    private final Consumer<ClaimedRun> dispatch;
    private final Semaphore slots;
    private final Wakeup wakeup;
    private final String node;
    private final ExecutorProperties properties;
    private final OrdinautMetrics metrics;
    private final StatementTimer timer;
    private final int capacity;
    private final IntSupplier ahead;
    private final BackgroundLoop guard = new BackgroundLoop("ordinaut-claim-loop");
    /** The pause before claiming again while due runs could not be taken; the claim thread's only. */
    private long backoff = MIN_BACKOFF_MS;
    private volatile boolean running = true;

    /**
     * @param dispatch starts a claimed run; whoever runs it releases one permit of {@code slots} when done
     * @param slots    {@code capacity} permits: runs held by the node, running or waiting for a worker
     *                 (one per worker thread plus the most it may ever claim ahead)
     * @param ahead    how many runs it may claim ahead of its free workers now (see {@link RunPace})
     */
    ClaimLoop(Claims claims, Consumer<ClaimedRun> dispatch, Semaphore slots, int capacity, IntSupplier ahead, Wakeup wakeup,
              String node, ExecutorProperties properties, OrdinautMetrics metrics) {
        this.metrics = metrics;
        this.timer = new StatementTimer("claim", metrics);
        this.capacity = capacity;
        this.ahead = ahead;
        this.claims = claims;
        this.dispatch = dispatch;
        this.slots = slots;
        this.wakeup = wakeup;
        this.node = node;
        this.properties = properties;
    }

    void stop() {
        running = false;
        wakeup.signal();
    }

    /** How many rounds failed (each was logged and retried after a pause). */
    long failures() {
        return guard.failures();
    }

    @Override
    public void run() {
        Duration lease = Duration.ofSeconds(properties.leaseSeconds());
        while (running) {
            try {
                if (!guard.round(() -> claimAndDispatch(lease))) {
                    Threads.sleepQuietly(FAILURE_PAUSE_MS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Permits of {@code slots} this node may fill now: the capacity less what it may not claim ahead. */
    private int room(int unused) {
        return slots.availablePermits() - unused;
    }

    private void claimAndDispatch(Duration lease) throws InterruptedException {
        int threads = properties.threads();
        int ahead = this.ahead.getAsInt();
        int unused = capacity - threads - ahead;
        // Each claim costs about the same fixed time however many rows it takes (planning, round trip):
        // while runs are in hand, give workers a moment to free up so claims come in sizeable batches.
        int gather = Math.max(1, Math.min(properties.claimBatchSize(), (threads + ahead) / 2));
        int free = room(unused);
        if (free <= 0) {
            wakeup.awaitUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(properties.pollIntervalMs()));
            return;
        }
        if (free < gather) {
            long until = System.nanoTime() + GATHER_NANOS;
            while (running && room(unused) < gather && System.nanoTime() < until) {
                wakeup.awaitNanos(until - System.nanoTime());
            }
            free = room(unused);
        }
        int wanted = Math.min(free, properties.claimBatchSize());
        List<ClaimedRun> claimed = claim(wanted, lease);
        for (ClaimedRun run : claimed) {
            slots.acquire();
            try {
                dispatch.accept(run);
            } catch (Throwable e) {
                slots.release();
                throw e;
            }
        }
        if (!claimed.isEmpty()) {
            backoff = MIN_BACKOFF_MS;
        }
        if (claimed.size() < wanted && running) {
            backoff = sleepUntilWorkIsDue(backoff);
        }
    }

    private List<ClaimedRun> claim(int wanted, Duration lease) {
        try {
            List<ClaimedRun> claimed = timer.time(wanted, () -> claims.claim(node, wanted, lease));
            log.trace("Claimed {} of {} runs", claimed.size(), wanted);
            metrics.claimed(claimed.size());
            return claimed;
        } catch (DataIntegrityViolationException | PessimisticLockingFailureException e) {
            // Two nodes claimed runs of one overlap-guarded task at the same instant and the database kept
            // one (or chose a deadlock victim). Nothing was claimed by this statement: try again shortly.
            log.debug("Claim lost a race with another node's claim; retrying ({})", e.getMessage());
            return List.of();
        }
    }

    /** Sleeps until work is due, a wake-up or the poll interval; returns the next back-off. */
    private long sleepUntilWorkIsDue(long backoff) throws InterruptedException {
        long start = System.nanoTime();
        Pause pause = pause(claims.untilEarliestDue(), backoff, properties.pollIntervalMs());
        wakeup.awaitUntil(start + TimeUnit.MILLISECONDS.toNanos(pause.waitMs()));
        return pause.nextBackoff();
    }

    /** How long to sleep after a claim that took less than it wanted, and the back-off after that. */
    record Pause(long waitMs, long nextBackoff) {
    }

    /**
     * @param earliest how long until the earliest unleased run is due, rounded down to the millisecond
     *                 (negative: overdue, yet not claimable now — another claim holds it, or a policy)
     */
    static Pause pause(Optional<Duration> earliest, long backoff, long pollIntervalMs) {
        if (earliest.isEmpty()) {
            return new Pause(pollIntervalMs, backoff);
        }
        long dueIn = earliest.get().toMillis();
        if (dueIn >= 0) {
            // 0 means due within the next millisecond, not overdue: waking a millisecond past the rounded
            // value finds the run due. (Treating 0 as overdue cost a 20 ms back-off on every run enqueued
            // ahead with its exact run_at whenever the loop woke within a millisecond before it.)
            return new Pause(Math.min(pollIntervalMs, dueIn + 1), MIN_BACKOFF_MS);
        }
        return new Pause(Math.min(pollIntervalMs, backoff), Math.min(backoff * 2, pollIntervalMs));
    }
}
