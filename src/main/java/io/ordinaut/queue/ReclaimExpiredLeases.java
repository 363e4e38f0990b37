package io.ordinaut.queue;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes back runs whose node stopped renewing their leases (it died or stalled), in batches, and wakes
 * the executors of every node to run them again.
 */
final class ReclaimExpiredLeases implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ReclaimExpiredLeases.class);
    private static final int BATCH = 500;

    private final Leases leases;
    private final Runnable notifyExecutors;
    private final Clock clock;

    ReclaimExpiredLeases(Leases leases, Runnable notifyExecutors, Clock clock) {
        this.leases = leases;
        this.notifyExecutors = notifyExecutors;
        this.clock = clock;
    }

    @Override
    public void run() {
        Leases.Reclaimed reclaimed;
        do {
            reclaimed = leases.reclaimExpired(clock.instant(), BATCH);
            if (reclaimed.total() > 0) {
                log.info("Reclaimed {} runs with expired leases ({} re-queued, {} ended: no retries left or canceled)",
                        reclaimed.total(), reclaimed.requeued(), reclaimed.total() - reclaimed.requeued());
            }
            if (reclaimed.requeued() > 0) {
                notifyExecutors.run();
            }
        } while (reclaimed.total() == BATCH);
    }
}
