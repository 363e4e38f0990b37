package io.ordinaut.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import tools.jackson.databind.json.JsonMapper;

/**
 * Writes finished runs in groups — whatever finished within a few milliseconds, up to a batch size —
 * so the hot path never pays one commit per run.
 */
final class RunRecorder implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(RunRecorder.class);

    private final DueWorkQueue queue;
    private final JsonMapper json;
    private final String node;
    private final int flushIntervalMs;
    private final int batchSize;
    private final BlockingQueue<FinishedRun> pending = new LinkedBlockingQueue<>();
    private volatile boolean running = true;

    RunRecorder(DueWorkQueue queue, JsonMapper json, String node, int flushIntervalMs, int batchSize) {
        this.queue = queue;
        this.json = json;
        this.node = node;
        this.flushIntervalMs = flushIntervalMs;
        this.batchSize = batchSize;
    }

    void add(FinishedRun run) {
        pending.add(run);
    }

    /** Stops after writing what is pending. */
    void stop() {
        running = false;
    }

    int pendingCount() {
        return pending.size();
    }

    @Override
    public void run() {
        List<FinishedRun> batch = new ArrayList<>(batchSize);
        while (running || !pending.isEmpty()) {
            try {
                FinishedRun first = pending.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(flushIntervalMs);
                while (batch.size() < batchSize) {
                    pending.drainTo(batch, batchSize - batch.size());
                    long left = deadline - System.nanoTime();
                    if (batch.size() >= batchSize || left <= 0) {
                        break;
                    }
                    FinishedRun next = pending.poll(left, TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                writeWithRetry(batch);
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    private void writeWithRetry(List<FinishedRun> batch) throws InterruptedException {
        long backoff = 100;
        while (true) {
            try {
                int recorded = queue.finish(node, json.writeValueAsString(batch));
                if (recorded < batch.size()) {
                    log.debug("{} of {} finished runs were no longer leased by {} and were not recorded",
                            batch.size() - recorded, batch.size(), node);
                }
                return;
            } catch (RuntimeException e) {
                if (!running && backoff > 5000) {
                    log.error("Giving up recording {} finished runs at shutdown; their leases will expire and they will run again", batch.size(), e);
                    return;
                }
                log.warn("Could not record {} finished runs ({}); retrying in {} ms", batch.size(), e.getMessage(), backoff);
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 10_000);
            }
        }
    }
}
