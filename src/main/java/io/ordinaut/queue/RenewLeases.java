package io.ordinaut.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeat of this node's runs: renews, in one statement, the leases of every run it holds — running
 * ones, and ended ones whose results the recorder has not written yet (it may lag behind, or wait out a
 * database outage), so no other node takes back a run that already ended here. With a running run's lease
 * goes its pipeline's progress when it changed since the last renewal: should this node be lost, the node
 * that reclaims the run records what it did. A running run whose lease
 * is gone (it expired and another node reclaimed it) is interrupted and its result will be dropped; a
 * run someone asked to cancel is canceled (the fallback when the NOTIFY was missed).
 */
final class RenewLeases implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(RenewLeases.class);

    private final ExecutorPool pool;
    private final Leases leases;
    private final DatabaseContact contact;
    private final Duration lease;
    private final StatementTimer timer;

    RenewLeases(ExecutorPool pool, Leases leases, DatabaseContact contact, Duration lease, StatementTimer timer) {
        this.pool = pool;
        this.leases = leases;
        this.contact = contact;
        this.lease = lease;
        this.timer = timer;
    }

    @Override
    public void run() {
        List<Execution> executions = pool.executions();
        List<Leases.Lease> unwritten = pool.unwrittenLeases();
        if (executions.isEmpty() && unwritten.isEmpty()) {
            return;
        }
        List<Leases.Lease> held = new ArrayList<>(executions.size() + unwritten.size());
        for (Execution e : executions) {
            held.add(new Leases.Lease(e.run().id(), e.run().leaseToken(), e.progressToWrite()));
        }
        held.addAll(unwritten);
        Map<UUID, Boolean> renewed;
        try {
            renewed = timer.time(held.size(), () -> leases.renew(held, lease));
            contact.reached();
        } catch (RuntimeException e) {
            contact.lost();
            executions.forEach(Execution::progressNotWritten);
            throw e;
        }
        for (Execution e : executions) {
            Boolean cancelRequested = renewed.get(e.run().id());
            if (cancelRequested == null) {
                if (pool.drop(e)) {
                    log.info("Lease of run {} (task {}) was lost; the run was reclaimed elsewhere and this attempt is abandoned",
                            e.run().id(), e.run().taskId());
                }
            } else if (cancelRequested) {
                pool.cancelLocal(e.run().id());
            }
        }
    }
}
