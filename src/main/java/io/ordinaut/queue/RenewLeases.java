package io.ordinaut.queue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeat of running work: renews the leases of every run this node holds in one statement. A run
 * whose lease is gone (it expired and another node reclaimed it) is interrupted and its result will
 * be dropped; a run someone asked to cancel is canceled (the fallback when the NOTIFY was missed).
 */
final class RenewLeases implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(RenewLeases.class);

    private final ExecutorPool pool;
    private final Leases leases;
    private final Clock clock;
    private final Duration lease;

    RenewLeases(ExecutorPool pool, Leases leases, Clock clock, Duration lease) {
        this.pool = pool;
        this.leases = leases;
        this.clock = clock;
        this.lease = lease;
    }

    @Override
    public void run() {
        List<Execution> executions = pool.executions();
        if (executions.isEmpty()) {
            return;
        }
        Map<UUID, Boolean> held = leases.renew(executions.stream().map(Execution::run).toList(), clock.instant().plus(lease));
        for (Execution e : executions) {
            Boolean cancelRequested = held.get(e.run().id());
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
