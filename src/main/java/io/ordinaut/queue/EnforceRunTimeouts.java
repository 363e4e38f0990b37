package io.ordinaut.queue;

import java.time.Clock;
import java.time.Instant;

/**
 * Ends runs that outlive their run_timeout_seconds: the attempt fails with a timeout error (retried
 * like any retryable failure), its thread is interrupted and the outcome recorded at once — without
 * waiting for a pipeline that ignores the interrupt — which releases the lease.
 */
final class EnforceRunTimeouts implements Runnable {

    private final ExecutorPool pool;
    private final Clock clock;

    EnforceRunTimeouts(ExecutorPool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    @Override
    public void run() {
        Instant now = clock.instant();
        for (Execution e : pool.executions()) {
            if (!e.isSettled() && now.isAfter(e.deadline())) {
                pool.timeOut(e);
            }
        }
    }
}
