package io.ordinaut.queue;

import java.time.Duration;

/**
 * Whether this node has been in unbroken contact with the database, and for how long. The lease reaper
 * takes back expired leases only after a full lease period of unbroken contact: a lease that expired
 * while the database was out of reach — for every node alike, as in a database outage — may belong to a
 * live node that simply could not renew it (or write the run's result). Once the database is back, that
 * node renews within a third of a lease; a node that does not is lost indeed. Durations come from the
 * monotonic clock, so a wrong wall clock cannot shorten the wait.
 */
final class DatabaseContact {

    private boolean reached;
    private long sinceNanos;

    /** A statement succeeded. */
    synchronized void reached() {
        if (!reached) {
            reached = true;
            sinceNanos = System.nanoTime();
        }
    }

    /** A statement failed for want of the database (or for any reason: better to wait than to steal). */
    synchronized void lost() {
        reached = false;
    }

    synchronized boolean unbrokenFor(Duration period) {
        return reached && System.nanoTime() - sinceNanos >= period.toNanos();
    }
}
