package io.ordinaut.queue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import tools.jackson.databind.json.JsonMapper;

import io.ordinaut.BackgroundLoop;
import io.ordinaut.Threads;
import io.ordinaut.config.NodeProperties;
import io.ordinaut.metrics.OrdinautMetrics;

/**
 * The executor role: worker threads of its own (never Quartz's) fed by one claim loop, a LISTEN
 * connection for wake-ups and cancel requests, a recorder that writes ended runs in batches, and its
 * duties — lease renewal, reclaiming expired leases, run timeouts, retention.
 *
 * <p>Every statement runs in its own short transaction on a pooled connection: nothing is held open
 * while a pipeline executes; the lease (locked_by, locked_until, lease_token) is what marks a run as
 * taken.
 *
 * <p>Shutdown (SIGTERM closes the context): stop claiming, let running work finish within
 * ordinaut.executor.shutdown-grace-seconds, then interrupt what is left. A run that started is never
 * handed to another node — its side effects may have happened: the attempt ends as failed with the
 * reason "node shut down during the run" and is retried like any failed attempt if its task allows
 * retries (with max_retries 0 the run ends there, executed once). Runs claimed but not yet started are
 * released to the queue unchanged, so another node takes them at once.
 */
@Component
class ExecutorPool implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ExecutorPool.class);

    enum State { STOPPED, RUNNING, DRAINING }

    private final DataSource dataSource;
    private final RunHandler handler;
    private final Clock clock;
    private final String node;
    private final boolean enabled;
    private final ExecutorProperties properties;
    private final RunProperties runs;
    private final Backoff backoff;
    private final JsonMapper json;
    private final OrdinautMetrics metrics;

    private final Map<UUID, Execution> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong processed = new AtomicLong();
    private volatile State state = State.STOPPED;
    /** Told of every state change (the worker heartbeat writes it at once); nothing for a pool built by hand. */
    private final Consumer<ExecutorPool> stateListener;

    private JdbcClient jdbc;
    private Notifications notifications;
    private Claims claims;
    private Completions completions;
    private Wakeup wakeup;
    private Semaphore slots;
    private RunPace pace;
    private ExecutorService workers;
    private ClaimLoop claimLoop;
    private QueueListener listener;
    private RunRecorder recorder;
    private Thread claimThread;
    private Thread listenerThread;
    private Thread recorderThread;
    private final List<Duty> duties = new ArrayList<>();

    /**
     * The node's pool. It takes the heartbeat (never the reverse) so that Spring, which stops a bean's dependents
     * first, stops this pool before the heartbeat: the node beats {@code draining} while it drains.
     */
    @Autowired
    ExecutorPool(DataSource dataSource, RunHandler handler, Clock clock, JsonMapper json, NodeProperties node,
                 ExecutorProperties properties, RunProperties runs, OrdinautMetrics metrics, WorkerHeartbeat heartbeat) {
        this(dataSource, handler, clock, json, node.id(), node.has(NodeProperties.Role.EXECUTOR), properties, runs,
                () -> ThreadLocalRandom.current().nextDouble(), metrics, heartbeat::poolChanged);
    }

    /** A pool built by hand (tests, benchmarks): its own DataSource is as good as its own node. */
    ExecutorPool(DataSource dataSource, RunHandler handler, Clock clock, JsonMapper json, String node, boolean enabled,
                 ExecutorProperties properties, RunProperties runs, DoubleSupplier jitter) {
        this(dataSource, handler, clock, json, node, enabled, properties, runs, jitter, OrdinautMetrics.none(), pool -> { });
    }

    private ExecutorPool(DataSource dataSource, RunHandler handler, Clock clock, JsonMapper json, String node, boolean enabled,
                         ExecutorProperties properties, RunProperties runs, DoubleSupplier jitter, OrdinautMetrics metrics,
                         Consumer<ExecutorPool> stateListener) {
        this.metrics = metrics;
        this.stateListener = stateListener;
        this.dataSource = dataSource;
        this.handler = handler;
        this.clock = clock;
        this.json = json;
        this.node = node;
        this.enabled = enabled;
        this.properties = properties;
        this.runs = runs;
        this.backoff = new Backoff(runs.retryBase(), runs.retryCap(), jitter);
    }

    @Override
    public synchronized void start() {
        if (state != State.STOPPED || !enabled) {
            return;
        }
        jdbc = JdbcClient.create(dataSource);
        notifications = new Notifications(jdbc);
        claims = new Claims(dataSource, metrics);
        Leases leases = new Leases(jdbc, json);
        completions = new Completions(jdbc, json, runs.agingSeconds());
        wakeup = new Wakeup();
        pace = new RunPace(properties.threads(), properties.claimBatchSize());
        slots = new Semaphore(pace.capacity());
        workers = Executors.newFixedThreadPool(properties.threads(), named("ordinaut-worker-"));
        recorder = new RunRecorder(completions, node, properties.flushIntervalMs(), properties.flushBatchSize(), wakeup::signal, metrics);
        claimLoop = new ClaimLoop(claims, this::dispatch, slots, pace.capacity(), this::claimAhead, wakeup, node, properties, metrics);
        listener = new QueueListener(dataSource, wakeup, this::cancelLocal);
        Duration lease = Duration.ofSeconds(properties.leaseSeconds());
        DatabaseContact contact = new DatabaseContact();
        duties.add(new Duty("ordinaut-lease-renewal", properties.renewIntervalMs(), new RenewLeases(this, leases, contact, lease,
                new StatementTimer("renew", metrics))).start());
        duties.add(new Duty("ordinaut-lease-reaper", properties.reapIntervalMs(),
                new ReclaimExpiredLeases(leases, notifications::wakeExecutors, contact, lease, metrics)).start());
        duties.add(new Duty("ordinaut-run-timeouts", 100, new EnforceRunTimeouts(this, clock)).start());
        duties.add(new Duty("ordinaut-retention", runs.pruneInterval().toMillis(),
                new PruneHistory(jdbc, clock, runs.retention(), runs.pruneBatchSize())).start());
        recorderThread = start(recorder, "ordinaut-run-recorder");
        listenerThread = start(listener, "ordinaut-queue-listener");
        claimThread = start(claimLoop, "ordinaut-claim-loop");
        changeState(State.RUNNING);
        log.info("Executor pool started on node {}: {} worker threads, claim batch {}, lease {} s", node, properties.threads(),
                properties.claimBatchSize(), properties.leaseSeconds());
    }

    @Override
    public synchronized void stop() {
        if (state != State.RUNNING) {
            return;
        }
        changeState(State.DRAINING);
        claimLoop.stop();
        join(claimThread);
        claims.close();
        long graceEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(properties.shutdownGraceSeconds());
        while (!inFlight.isEmpty() && System.nanoTime() - graceEnd < 0) {
            Threads.sleepQuietly(20);
        }
        List<ClaimedRun> notStarted = new ArrayList<>();
        int interrupted = 0;
        for (Execution e : inFlight.values()) {
            if (e.settleBeforeStart()) {
                notStarted.add(e.run());
            } else if (e.settle()) {
                RunResult cut = e.cut("node shut down during the run");
                e.interrupt();
                interrupted++;
                recorder.add(Outcome.of(e.run(), cut, e.run().startedAt(), e.endedAt(clock.instant()), backoff));
            }
        }
        if (interrupted > 0) {
            log.info("Interrupted {} runs still running at shutdown; each is recorded as a failed attempt", interrupted);
        }
        // Leases stay renewed until the recorder has written what it holds; from here on nothing of this node runs.
        recorder.stop();
        join(recorderThread);
        duties.forEach(Duty::stop);
        duties.clear();
        if (!notStarted.isEmpty()) {
            release(notStarted);
        }
        inFlight.clear();
        listener.stop();
        join(listenerThread);
        workers.shutdownNow();
        changeState(State.STOPPED);
        log.info("Executor pool stopped on node {}", node);
    }

    /**
     * Stops at once as a killed process would: no release, nothing more recorded. The leases of running
     * runs simply stop being renewed. For failure tests.
     */
    synchronized void halt() {
        if (state == State.STOPPED) {
            return;
        }
        claimLoop.stop();
        listener.stop();
        recorder.abandon();
        duties.forEach(Duty::stop);
        duties.clear();
        inFlight.values().forEach(Execution::settle);
        workers.shutdownNow();
        join(claimThread);
        join(recorderThread);
        join(listenerThread);
        claims.close();
        changeState(State.STOPPED);
    }

    @Override
    public boolean isRunning() {
        return state != State.STOPPED;
    }

    /** Stop before the web server and the DataSource go away. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }

    State state() {
        return state;
    }

    int inFlightCount() {
        return inFlight.size();
    }

    long processedCount() {
        return processed.get();
    }

    /** Wakes the claim loop (after a test moves its clock). */
    void wake() {
        if (wakeup != null) {
            wakeup.signal();
        }
    }

    /**
     * How many rounds of each background loop of this pool failed since it started (each was logged and
     * the loop went on), by thread name; empty while stopped.
     */
    Map<String, Long> loopFailures() {
        if (state == State.STOPPED) {
            return Map.of();
        }
        Map<String, Long> failures = new LinkedHashMap<>();
        failures.put("ordinaut-claim-loop", claimLoop.failures());
        failures.put("ordinaut-run-recorder", recorder.failures());
        failures.put("ordinaut-queue-listener", listener.failures());
        for (Duty duty : duties) {
            failures.put(duty.name(), duty.failures());
        }
        return failures;
    }

    List<Execution> executions() {
        return List.copyOf(inFlight.values());
    }

    /** Leases of runs that ended here but whose results are not written yet. */
    List<Leases.Lease> unwrittenLeases() {
        RunRecorder r = recorder;
        return r == null ? List.of() : r.unwritten();
    }

    /** How many runs the claim loop may claim beyond its free workers now (see {@link RunPace}). */
    private int claimAhead() {
        int ahead = pace.ahead();
        if (ahead == 0) {
            return 0;
        }
        long now = System.nanoTime();
        for (Execution e : inFlight.values()) {
            if (e.runningLongerThan(RunPace.LONG_RUN_NANOS, now)) {
                return 0;
            }
        }
        return ahead;
    }

    private void dispatch(ClaimedRun run) {
        int timeout = run.timeoutSeconds() != null ? run.timeoutSeconds() : (int) runs.defaultRunTimeout().toSeconds();
        Execution execution = new Execution(run, timeout, clock.instant());
        inFlight.put(run.id(), execution);
        workers.execute(() -> execute(execution));
    }

    private void execute(Execution e) {
        ClaimedRun run = e.run();
        try {
            Clock runClock = e.runClock(clock);
            Instant startedAt = runClock.instant();
            if (!e.begin(Thread.currentThread(), startedAt)) {
                return;
            }
            metrics.runStarted(run.trigger(), startedAt.toEpochMilli() - run.runAt().toEpochMilli());
            MDC.put("task_id", run.taskId().toString());
            MDC.put("run_id", run.id().toString());
            long began = System.nanoTime();
            RunResult result;
            try {
                result = handler.execute(run, e.progress(), runClock);
            } catch (RuntimeException | Error ex) {
                // An Error too (an assertion, a stack overflow in a plug-in): the run ends as a failed attempt
                // now, not when its lease runs out; only a JVM that cannot go on (out of memory) goes further.
                if (BackgroundLoop.isFatal(ex)) {
                    throw ex;
                }
                log.error("Run {} of task {} failed outside its pipeline", run.id(), run.taskId(), ex);
                result = RunResult.failed("internal error: " + ex.getClass().getSimpleName() + ": " + ex.getMessage(), true, null);
            }
            if (e.settle()) {
                recorder.add(Outcome.of(run, result, run.startedAt(), e.endedAt(clock.instant()), backoff));
            }
            pace.ran(System.nanoTime() - began);
        } finally {
            MDC.remove("task_id");
            MDC.remove("run_id");
            e.detach();
            // An interrupt meant for this run may have landed after it returned: never carry it to the next.
            Thread.interrupted();
            inFlight.remove(run.id(), e);
            processed.incrementAndGet();
            slots.release();
            wakeup.signal();
        }
    }

    /**
     * The run outlived its timeout: fail it now (retryable) with what it did so far, and interrupt its
     * thread — after taking its progress, which the interrupted pipeline would go on to change.
     */
    void timeOut(Execution e) {
        if (!e.settle()) {
            return;
        }
        int seconds = e.timeoutSeconds();
        RunResult timedOut = e.cut("run timed out after " + seconds + " s");
        e.interrupt();
        // The end is read after the cut, whose running step is timed to the cut: it ends within the attempt.
        recorder.add(Outcome.of(e.run(), timedOut, e.run().startedAt(), e.endedAt(clock.instant()), backoff));
        log.info("Run {} of task {}: {}; interrupted", e.run().id(), e.run().taskId(), timedOut.error());
    }

    /** A cancel request for a run this node may be running: interrupt it and record it as canceled. */
    void cancelLocal(UUID runId) {
        Execution e = inFlight.get(runId);
        if (e == null || !e.settle()) {
            return;
        }
        RunResult cut = e.cut("canceled by request while running");
        e.interrupt();
        recorder.add(Outcome.canceled(e.run(), e.run().startedAt(), e.endedAt(clock.instant()), cut.error(), cut.output()));
        log.info("Run {} of task {} canceled while running", runId, e.run().taskId());
    }

    /** The lease is gone: interrupt the run and drop whatever it produces. True when this call settled it. */
    boolean drop(Execution e) {
        if (!e.settle()) {
            return false;
        }
        e.interrupt();
        return true;
    }

    private void release(List<ClaimedRun> notStarted) {
        try {
            int released = completions.release(node, notStarted);
            notifications.wakeExecutors();
            log.info("Released {} claimed but unstarted runs for other nodes at shutdown ({} had already lost their lease)",
                    released, notStarted.size() - released);
        } catch (RuntimeException e) {
            log.warn("Could not release {} unstarted runs at shutdown ({}); their leases will expire and they will be reclaimed",
                    notStarted.size(), e.getMessage());
        }
    }

    private void changeState(State next) {
        state = next;
        try {
            stateListener.accept(this);
        } catch (RuntimeException e) {
            log.debug("State listener failed: {}", e.getMessage());
        }
    }

    private static Thread start(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void join(Thread thread) {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
