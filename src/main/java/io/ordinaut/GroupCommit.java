package io.ordinaut;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Lets concurrent callers share one database transaction instead of paying one each (group commit). A call
 * queues its item and tries the lock; whoever holds it stores every queued item with one call of
 * {@code storeAll} and wakes their callers, who return at once without taking the lock in turn (that
 * convoy cost a third of the throughput); when it lets go, it wakes the oldest call still queued to lead
 * next. Nothing waits for a batch to fill: a call made alone stores its item alone, at once; a batch grows
 * only while an earlier one is being stored.
 *
 * <p>One transaction per batch is what makes it pay: per item PostgreSQL then plans and runs a share of a
 * few set-based statements and of one commit (one WAL flush), instead of all of them.
 *
 * <p>A batch that fails as a whole (its transaction rolled back) is stored again item by item, each in a
 * transaction of its own, so one bad item fails only its own call; the others' results do not depend on
 * which calls happened to be batched with them — unless the failure says storing alone cannot help (the
 * database is unreachable: each item would only wait for a connection in turn), and then every call of the
 * batch fails with it at once.
 *
 * @param <T> what a call stores
 * @param <R> what a call gets back
 */
public final class GroupCommit<T, R> {

    private final Lane<T, R>[] lanes;
    private final AtomicInteger turn = new AtomicInteger();
    private final Function<List<T>, List<R>> storeAll;
    private final Predicate<RuntimeException> aloneMayHelp;
    private final int maxBatch;

    /**
     * @param storeAll stores items in one transaction and returns one result per item, in their order; it
     *                 throws when the transaction failed (nothing of the batch stored)
     * @param aloneMayHelp whether, after a batch failed with this, its items are worth storing one by one
     *                     (see {@link #unlessDatabaseUnreachable})
     * @param maxBatch most items stored in one transaction
     * @param lanes    batches stored at once: calls are dealt to the lanes in turn, and each lane stores one
     *                 batch at a time, so with two a batch is prepared while the other waits for its commit
     */
    @SuppressWarnings("unchecked")
    public GroupCommit(Function<List<T>, List<R>> storeAll, Predicate<RuntimeException> aloneMayHelp, int maxBatch, int lanes) {
        if (maxBatch < 1 || lanes < 1) {
            throw new IllegalArgumentException("maxBatch and lanes must be at least 1 (got " + maxBatch + " and " + lanes + ")");
        }
        this.storeAll = storeAll;
        this.aloneMayHelp = aloneMayHelp;
        this.maxBatch = maxBatch;
        this.lanes = new Lane[lanes];
        for (int i = 0; i < lanes; i++) {
            this.lanes[i] = new Lane<>();
        }
    }

    /**
     * Stores {@code item}, in a batch with whatever other calls queued meanwhile, and returns its result.
     *
     * @throws RuntimeException what storing the item alone threw
     */
    public R submit(T item) {
        Call<T, R> mine = new Call<>(item, Thread.currentThread());
        Lane<T, R> lane = lanes[Math.floorMod(turn.getAndIncrement(), lanes.length)];
        lane.queued.add(mine);
        boolean interrupted = false;
        while (!mine.done) {
            if (lane.lock.tryLock()) {
                try {
                    // Calls are taken in the order they queued, so ours is in one of the next batches.
                    while (!mine.done) {
                        store(lane.next(maxBatch));
                    }
                } finally {
                    lane.lock.unlock();
                    // Calls queued after our last batch: the oldest leads next.
                    Call<T, R> next = lane.queued.peek();
                    if (next != null) {
                        LockSupport.unpark(next.thread);
                    }
                }
            } else {
                // Not on the lock: a call stored by another's batch returns as soon as it is woken, instead of
                // taking the lock in turn behind every other call of that batch.
                LockSupport.park(this);
                // The item is queued and will be stored: wait on, uninterruptibly (park returns at once while the
                // flag is set, so it is cleared here and set again before returning).
                interrupted |= Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (mine.failure != null) {
            throw mine.failure;
        }
        return mine.result;
    }

    /**
     * For stores into the database: storing items one by one helps unless the database could not be reached
     * (no connection, or it was lost) — then each item would wait for a connection in turn, up to the pool's
     * timeout each, while every other call waits behind it.
     */
    public static boolean unlessDatabaseUnreachable(RuntimeException e) {
        return !(e instanceof DataAccessResourceFailureException || e instanceof CannotCreateTransactionException);
    }

    /** Calls queued and not yet taken into a batch (for tests). */
    int queued() {
        int n = 0;
        for (Lane<T, R> lane : lanes) {
            n += lane.queued.size();
        }
        return n;
    }

    private void store(List<Call<T, R>> batch) {
        try {
            try {
                complete(batch, storeAll.apply(batch.stream().map(c -> c.item).toList()));
            } catch (RuntimeException e) {
                if (batch.size() == 1 || !aloneMayHelp.test(e)) {
                    batch.forEach(c -> c.fail(e));
                    return;
                }
                for (Call<T, R> call : batch) {
                    try {
                        complete(List.of(call), storeAll.apply(List.of(call.item)));
                    } catch (RuntimeException alone) {
                        call.fail(alone);
                    }
                }
            }
        } catch (Error e) {
            // The callers waiting on this batch must not wait for ever; the holder of the lock gets the error itself.
            batch.stream().filter(c -> !c.done).forEach(c -> c.fail(new IllegalStateException("Storing a batch failed: " + e, e)));
            throw e;
        }
    }

    private static <T, R> void complete(List<Call<T, R>> calls, List<R> results) {
        if (results.size() != calls.size()) {
            throw new IllegalStateException("storeAll returned " + results.size() + " results for " + calls.size() + " items");
        }
        for (int i = 0; i < calls.size(); i++) {
            calls.get(i).succeed(results.get(i));
        }
    }

    private static final class Lane<T, R> {
        final ReentrantLock lock = new ReentrantLock();
        final Queue<Call<T, R>> queued = new ConcurrentLinkedQueue<>();

        List<Call<T, R>> next(int maxBatch) {
            List<Call<T, R>> batch = new ArrayList<>();
            for (Call<T, R> next; batch.size() < maxBatch && (next = queued.poll()) != null; ) {
                batch.add(next);
            }
            if (batch.isEmpty()) {
                throw new IllegalStateException("A call was taken off the queue but never completed");
            }
            return batch;
        }
    }

    private static final class Call<T, R> {
        final T item;
        final Thread thread;
        R result;
        RuntimeException failure;
        /** Written last: a caller that reads it true sees the result or failure. */
        volatile boolean done;

        Call(T item, Thread thread) {
            this.item = item;
            this.thread = thread;
        }

        void succeed(R value) {
            result = value;
            done = true;
            LockSupport.unpark(thread);
        }

        void fail(RuntimeException e) {
            failure = e;
            done = true;
            LockSupport.unpark(thread);
        }
    }
}
