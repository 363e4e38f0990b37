package io.ordinaut.queue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ordinaut.BackgroundLoop;
import io.ordinaut.metrics.OrdinautMetrics;

/**
 * Writes ended attempts in groups — whatever ended within a few milliseconds, up to a batch size — so
 * the hot path never pays one commit per run. A failed write is retried with backoff, for as long as it
 * takes (a database outage): the lease renewal keeps renewing the leases of what waits here, so no other
 * node takes back a run whose result is known. Runs whose lease was lost meanwhile are dropped by the
 * fenced statement, not here.
 *
 * <p>A write that fails because of what an outcome holds — an output that cannot be written as JSON
 * (one that contains itself, or nests past the writer's limit), or text the database refuses (a NUL
 * character) — is not an outage and would fail forever, holding every later run of every agent on this
 * node. Such a batch is written outcome by outcome instead, and the outcome that cannot be stored is
 * written as a failed run with a short error and without its output ({@link Outcome#unstorable}).
 */
final class RunRecorder implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(RunRecorder.class);

    private final Completions completions;
    private final String node;
    private final int flushIntervalMs;
    private final int batchSize;
    private final Runnable afterWrite;
    private final OrdinautMetrics metrics;
    private final StatementTimer timer;
    private static final String[] OUTCOMES = Arrays.stream(RunStatus.values()).map(RunStatus::wireName).toArray(String[]::new);

    private final BlockingQueue<Outcome> pending = new LinkedBlockingQueue<>();
    /** The batch being written, until it is: its leases are renewed meanwhile. */
    private volatile List<Outcome> writing = List.of();
    private final BackgroundLoop guard = new BackgroundLoop("ordinaut-run-recorder");
    private volatile boolean running = true;
    private volatile boolean abandoned;

    /** @param afterWrite called after each written batch (wakes the claim loop: retries, freed slots) */
    RunRecorder(Completions completions, String node, int flushIntervalMs, int batchSize, Runnable afterWrite,
                OrdinautMetrics metrics) {
        this.metrics = metrics;
        this.timer = new StatementTimer("finish", metrics);
        this.completions = completions;
        this.node = node;
        this.flushIntervalMs = flushIntervalMs;
        this.batchSize = batchSize;
        this.afterWrite = afterWrite;
    }

    void add(Outcome outcome) {
        pending.add(outcome);
    }

    /**
     * The leases of outcomes not written yet — pending or being written (an outcome being gathered into
     * a batch may be missed for a few milliseconds, well within a renewal's slack).
     */
    List<Leases.Lease> unwritten() {
        List<Outcome> batch = writing;
        if (pending.isEmpty() && batch.isEmpty()) {
            return List.of();
        }
        List<Leases.Lease> leases = new ArrayList<>(pending.size() + batch.size());
        for (Outcome o : batch) {
            leases.add(new Leases.Lease(o.runId(), o.leaseToken()));
        }
        for (Outcome o : pending) {
            leases.add(new Leases.Lease(o.runId(), o.leaseToken()));
        }
        return leases;
    }

    /** Stops after writing what is pending. */
    void stop() {
        running = false;
    }

    /** Stops at once, writing nothing more (a node that dies). */
    void abandon() {
        abandoned = true;
        running = false;
        pending.clear();
    }

    /** How many rounds failed (each dropped the batch it held). */
    long failures() {
        return guard.failures();
    }

    @Override
    public void run() {
        List<Outcome> batch = new ArrayList<>(batchSize);
        while ((running || !pending.isEmpty()) && !abandoned) {
            try {
                if (!guard.round(() -> gatherAndWrite(batch))) {
                    if (!batch.isEmpty()) {
                        log.error("Run recorder dropped {} outcomes after a failure; their leases will expire and the runs be reclaimed",
                                batch.size());
                    }
                    writing = List.of();
                    batch.clear();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Gathers what ended within the flush interval, up to a batch, and writes it. */
    private void gatherAndWrite(List<Outcome> batch) throws InterruptedException {
        Outcome first = pending.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
            return;
        }
        batch.add(first);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(flushIntervalMs);
        while (batch.size() < batchSize) {
            pending.drainTo(batch, batchSize - batch.size());
            long left = deadline - System.nanoTime();
            if (batch.size() >= batchSize || left <= 0) {
                break;
            }
            Outcome next = pending.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
        }
        writing = List.copyOf(batch);
        writeWithRetry(batch);
        writing = List.of();
        batch.clear();
    }

    /** Each written attempt, by its status (the few whose lease was lost meanwhile included). */
    private void count(List<Outcome> batch) {
        for (Outcome o : batch) {
            long millis = o.startedAt() == null || o.finishedAt() == null ? -1 : o.finishedAt().toEpochMilli() - o.startedAt().toEpochMilli();
            metrics.runEnded(OUTCOMES[o.status().ordinal()], o.trigger(), millis);
        }
    }

    private void writeWithRetry(List<Outcome> batch) throws InterruptedException {
        String poison = tryWrite(batch);
        if (poison == null) {
            return;
        }
        for (Outcome o : batch) {
            String reason = batch.size() == 1 ? poison : tryWrite(List.of(o));
            if (reason == null) {
                continue;
            }
            log.warn("Run {} attempt {}: its result cannot be stored ({}); recording it as failed without its output",
                    o.runId(), o.attempt(), reason);
            String again = tryWrite(List.of(o.unstorable(reason)));
            if (again != null) {
                // Cannot happen with the fixed text above; dropped rather than retried forever: the lease
                // expires and the run is reclaimed as a lost attempt.
                log.error("Run {}: even its failure could not be stored ({}); dropped", o.runId(), again);
            }
        }
    }

    /**
     * Writes the batch, retrying outages; returns null when written (or given up at shutdown), else why
     * the batch itself cannot be stored.
     */
    private String tryWrite(List<Outcome> batch) throws InterruptedException {
        long backoff = 100;
        while (!abandoned) {
            try {
                int recorded = timer.time(batch.size(), () -> completions.finish(node, batch));
                if (recorded < batch.size()) {
                    log.debug("{} of {} ended runs were no longer leased by {} and were not recorded",
                            batch.size() - recorded, batch.size(), node);
                }
                count(batch);
                afterWrite.run();
                return null;
            } catch (IllegalStateException e) {
                throw e;
            } catch (StackOverflowError e) {
                return "its output is nested too deeply to be written";
            } catch (RuntimeException e) {
                String poison = UnstorableOutcome.reason(e);
                if (poison != null) {
                    return poison;
                }
                if (!running && backoff > 5000) {
                    log.error("Giving up recording {} ended runs at shutdown; their leases will expire and they will be reclaimed "
                            + "(each as a lost attempt: retried if retries are left, else failed)",
                            batch.size(), e);
                    return null;
                }
                log.warn("Could not record {} ended runs ({}); retrying in {} ms", batch.size(), e.getMessage(), backoff);
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 10_000);
            }
        }
        return null;
    }
}
