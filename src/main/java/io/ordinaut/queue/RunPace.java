package io.ordinaut.queue;

/**
 * How fast this node's workers get through runs, and so how many runs the claim loop may claim ahead of
 * its free workers. A claim costs about the same round trip however many rows it takes; with short runs
 * the workers empty a claim's batch long before the next claim returns, and sit idle meanwhile. Claiming
 * ahead — runs that wait on this node for a worker — keeps them busy while the next claim is in flight.
 *
 * <p>Only as many runs are claimed ahead as the workers are expected to start within {@link #AHEAD_NANOS}
 * (from the recent mean run time): with runs of a second or more that is none, so a node never sits on
 * runs that another node's idle workers could start now. Until the first runs ended, none; and none
 * while any run of the node has been running for longer than {@link #LONG_RUN_NANOS} (the caller checks),
 * since the mean only learns of a long run when it ends.
 *
 * <p>Written by every worker, read by the claim loop; updates may race, which only blurs the average.
 */
final class RunPace {

    /** How long a run claimed ahead may be expected to wait for a worker. */
    static final long AHEAD_NANOS = 5_000_000;
    /** A run going for longer than this says the runs are not all short: claim nothing ahead. */
    static final long LONG_RUN_NANOS = 50_000_000;
    /** Weight of the newest run in the moving average: about the last 64 runs count. */
    private static final double WEIGHT = 1.0 / 64;

    private final int threads;
    private final int maxAhead;
    private volatile double meanNanos = Double.NaN;

    /** @param maxAhead the most runs ever claimed ahead (the claim batch size) */
    RunPace(int threads, int maxAhead) {
        this.threads = threads;
        this.maxAhead = maxAhead;
    }

    /** A worker spent this long on one run (executing it, from taking it up to handing its outcome on). */
    void ran(long nanos) {
        double mean = meanNanos;
        meanNanos = Double.isNaN(mean) ? nanos : mean + (nanos - mean) * WEIGHT;
    }

    /** How many runs may wait on this node for a worker, beyond those the workers are running. */
    int ahead() {
        double mean = meanNanos;
        if (Double.isNaN(mean)) {
            return 0;
        }
        double startable = threads * (AHEAD_NANOS / Math.max(mean, 1.0));
        return (int) Math.min(maxAhead, Math.floor(startable));
    }

    /** The most runs ever held by the node: one per worker plus the most claimed ahead. */
    int capacity() {
        return threads + maxAhead;
    }
}
