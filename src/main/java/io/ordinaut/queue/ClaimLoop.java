package io.ordinaut.queue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims due runs in batches as workers free up, and sleeps until the earliest known run_at or a
 * wake-up (NOTIFY from any node, a finished run) — never a fixed polling interval while work is near.
 */
final class ClaimLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ClaimLoop.class);

    private final DueWorkQueue queue;
    private final RunHandler handler;
    private final RunRecorder recorder;
    private final ExecutorService workers;
    private final Semaphore slots;
    private final Wakeup wakeup;
    private final Clock clock;
    private final String node;
    private final ExecutorProperties properties;
    private volatile boolean running = true;

    ClaimLoop(DueWorkQueue queue, RunHandler handler, RunRecorder recorder, ExecutorService workers, Wakeup wakeup,
              Clock clock, String node, ExecutorProperties properties) {
        this.queue = queue;
        this.handler = handler;
        this.recorder = recorder;
        this.workers = workers;
        this.slots = new Semaphore(properties.threads());
        this.wakeup = wakeup;
        this.clock = clock;
        this.node = node;
        this.properties = properties;
    }

    void stop() {
        running = false;
        wakeup.signal();
    }

    int inFlight() {
        return properties.threads() - slots.availablePermits();
    }

    @Override
    public void run() {
        Duration lease = Duration.ofSeconds(properties.leaseSeconds());
        while (running) {
            try {
                int free = slots.availablePermits();
                if (free == 0) {
                    wakeup.awaitUntil(System.currentTimeMillis() + properties.pollIntervalMs());
                    continue;
                }
                int wanted = Math.min(free, properties.claimBatchSize());
                List<ClaimedRun> claimed = queue.claim(node, wanted, clock.instant(), lease);
                for (ClaimedRun run : claimed) {
                    slots.acquire();
                    workers.execute(() -> execute(run));
                }
                if (claimed.size() < wanted) {
                    sleepUntilWorkIsDue(claimed.isEmpty());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("Claim loop error ({}); retrying", e.getMessage());
                sleepQuietly(500);
            }
        }
    }

    private void execute(ClaimedRun run) {
        try {
            recorder.add(handler.execute(run, clock.instant()));
        } catch (RuntimeException e) {
            log.error("Run {} of task {} failed outside its pipeline", run.id(), run.taskId(), e);
            recorder.add(new FinishedRun(run.id(), run.taskId(), run.scheduledFor(), run.trigger(), run.attempt(), "failed",
                    false, clock.instant(), clock.instant(), "internal error: " + e.getClass().getSimpleName(), null));
        } finally {
            slots.release();
            wakeup.signal();
        }
    }

    private void sleepUntilWorkIsDue(boolean claimedNothing) throws InterruptedException {
        long deadline = System.currentTimeMillis() + properties.pollIntervalMs();
        Instant earliest = queue.earliestReadyRunAt().orElse(null);
        if (earliest != null) {
            long dueIn = Duration.between(clock.instant(), earliest).toMillis();
            // Due rows we could not claim are being claimed by someone else right now: back off briefly.
            long minimum = claimedNothing ? 10 : 0;
            deadline = Math.min(deadline, System.currentTimeMillis() + Math.max(dueIn, minimum));
        }
        wakeup.awaitUntil(deadline);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
