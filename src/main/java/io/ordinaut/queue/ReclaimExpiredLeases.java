package io.ordinaut.queue;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ordinaut.metrics.OrdinautMetrics;

/**
 * Takes back runs whose node stopped renewing their leases (it died or stalled), in batches, and wakes
 * the executors of every node to run them again. Only after a full lease period of unbroken contact with
 * the database — since this node started or since its last failed statement — so that a database outage
 * longer than the lease does not hand the runs of live nodes (even finished ones, whose results wait to
 * be written) to another node the moment the database returns.
 */
final class ReclaimExpiredLeases implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ReclaimExpiredLeases.class);
    private static final int BATCH = 500;

    private final Leases leases;
    private final Runnable notifyExecutors;
    private final DatabaseContact contact;
    private final Duration lease;
    private final OrdinautMetrics metrics;

    ReclaimExpiredLeases(Leases leases, Runnable notifyExecutors, DatabaseContact contact, Duration lease, OrdinautMetrics metrics) {
        this.metrics = metrics;
        this.leases = leases;
        this.notifyExecutors = notifyExecutors;
        this.contact = contact;
        this.lease = lease;
    }

    @Override
    public void run() {
        try {
            if (!contact.unbrokenFor(lease)) {
                leases.probe();
                contact.reached();
                return;
            }
            reclaim();
            contact.reached();
        } catch (RuntimeException e) {
            contact.lost();
            throw e;
        }
    }

    private void reclaim() {
        Leases.Reclaimed reclaimed;
        do {
            reclaimed = leases.reclaimExpired(BATCH);
            if (reclaimed.total() > 0) {
                metrics.leasesReclaimed(reclaimed.total());
                for (EndedRuns lost : reclaimed.recorded()) {
                    metrics.runsEndedLost(lost.status(), lost.trigger(), lost.count());
                }
                log.info("Reclaimed {} runs with expired leases ({} re-queued, {} ended: no retries left or canceled)",
                        reclaimed.total(), reclaimed.requeued(), reclaimed.total() - reclaimed.requeued());
            }
            if (reclaimed.requeued() > 0) {
                notifyExecutors.run();
            }
        } while (reclaimed.total() == BATCH);
    }
}
