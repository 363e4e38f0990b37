package io.ordinaut.metrics;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

/**
 * Every metric of Ordinaut's own, named {@code ordinaut.*} (Prometheus: {@code ordinaut_*}), with the one
 * narrow API the hot paths call. Every meter is registered up front for each value its tags can take, so
 * recording is a map lookup and an atomic add — no tag building, no allocation per run. Tags are
 * low-cardinality by construction: a fixed set of values each (a value outside the set counts as
 * {@value #OTHER}), and tool addresses — the one open set — are capped at {@value #MAX_TOOLS}.
 * No tag ever carries a task, run or agent id.
 *
 * <p>Gauges that need a query (queue depth, cluster size) are not computed per scrape: a periodic duty
 * calls the {@code sampled…} setters and the gauges read the cached values (see {@link GaugeSampler}).
 *
 * <p>docs/operations.md lists every metric; a test compares that list with what a scrape exports.
 */
public final class OrdinautMetrics {

    /** The tag value for anything outside a tag's known values. */
    public static final String OTHER = "other";
    /** Tool tag of calls to addresses the catalog does not know (simulated): the address itself is unbounded. */
    public static final String UNREGISTERED_TOOL = "(unregistered)";
    /** Distinct tool addresses given their own series; further ones count as {@value #OTHER}. */
    static final int MAX_TOOLS = 500;

    static final List<String> RUN_OUTCOMES = List.of("succeeded", "failed", "dead", "skipped", "canceled");
    static final List<String> TRIGGERS = List.of("schedule", "run_now", "event", "retry", "reclaim");
    static final List<String> STEP_OUTCOMES = List.of("ok", "failed", "skipped");
    static final List<String> TRANSPORTS = List.of("http", "mcp", "simulate");
    static final List<String> TOOL_OUTCOMES = List.of("success", "error", "retryable_error");
    static final List<String> ENQUEUE_SOURCES = List.of("schedule", "window", "task_join", "now", "event");
    static final List<String> MISFIRE_KINDS = List.of("coalesced", "dropped");
    static final List<String> FIRE_JOBS = List.of("occurrence", "window");
    static final List<String> RATE_LIMITS = List.of("agent_burst", "agent_hourly", "unauthenticated");
    static final List<String> QUEUE_STATEMENTS = List.of("claim", "finish", "renew");
    static final List<String> QUEUE_STATES = List.of("ready", "waiting", "running");
    static final List<String> NODE_STATES = List.of("running", "draining", "stopped", "lost");
    static final int PRIORITIES = 9;

    private static final Duration[] LATENCY_BUCKETS = seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900);
    private static final Duration[] RUN_BUCKETS = seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600);
    private static final double[] BATCH_BUCKETS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000};

    private final MeterRegistry registry;
    private final Map<String, Map<String, Counter>> runs = new HashMap<>();
    private final Map<String, Timer> runDuration = new HashMap<>();
    private final Map<String, Timer> fireLag = new HashMap<>();
    private final Map<String, Timer> stepDuration = new HashMap<>();
    private final Map<String, ToolMeters> tools = new ConcurrentHashMap<>();
    private final Counter leasesReclaimed;
    private final Map<String, Counter> misfires = new HashMap<>();
    private final Map<String, DistributionSummary> enqueueBatch = new HashMap<>();
    private final DistributionSummary claimBatch;
    private final Map<String, Timer> queueStatements = new HashMap<>();
    private final Map<String, Counter> quartzFires = new HashMap<>();
    private final Map<String, Counter> refusals = new HashMap<>();
    private final AtomicLong[][] queueDepth = new AtomicLong[PRIORITIES][QUEUE_STATES.size()];
    private final AtomicLong[] oldestReadyBits = new AtomicLong[PRIORITIES];
    private final AtomicLong clusterSize = new AtomicLong();
    private final Map<String, AtomicLong> nodes = new HashMap<>();

    public OrdinautMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (String outcome : withOther(RUN_OUTCOMES)) {
            Map<String, Counter> byTrigger = new HashMap<>();
            for (String trigger : withOther(TRIGGERS)) {
                byTrigger.put(trigger, Counter.builder("ordinaut.runs").description("Attempts this node executed, by how they ended")
                        .tag("outcome", outcome).tag("trigger", trigger).register(registry));
            }
            runs.put(outcome, byTrigger);
            runDuration.put(outcome, Timer.builder("ordinaut.run.duration").description("Run attempts from start to end")
                    .tag("outcome", outcome).serviceLevelObjectives(RUN_BUCKETS).register(registry));
        }
        for (String trigger : withOther(TRIGGERS)) {
            fireLag.put(trigger, Timer.builder("ordinaut.fire.lag")
                    .description("From the instant a run was due (its occurrence, plus the task's jitter or snooze) to its start")
                    .tag("trigger", trigger).serviceLevelObjectives(LATENCY_BUCKETS).register(registry));
        }
        for (String outcome : withOther(STEP_OUTCOMES)) {
            stepDuration.put(outcome, Timer.builder("ordinaut.step.duration").description("Pipeline steps, tool retries included")
                    .tag("outcome", outcome).serviceLevelObjectives(RUN_BUCKETS).register(registry));
        }
        leasesReclaimed = Counter.builder("ordinaut.leases.reclaimed")
                .description("Runs taken back by this node after their lease expired").register(registry);
        for (String kind : MISFIRE_KINDS) {
            misfires.put(kind, Counter.builder("ordinaut.misfires").description("Occurrences recorded missed (missed_occurrence)")
                    .tag("kind", kind).register(registry));
        }
        for (String source : withOther(ENQUEUE_SOURCES)) {
            enqueueBatch.put(source, DistributionSummary.builder("ordinaut.enqueue.batch.size")
                    .description("Runs queued per enqueue statement").tag("source", source)
                    .serviceLevelObjectives(BATCH_BUCKETS).register(registry));
        }
        claimBatch = DistributionSummary.builder("ordinaut.claim.batch.size")
                .description("Runs taken per claim statement that took any").serviceLevelObjectives(BATCH_BUCKETS).register(registry);
        for (String statement : QUEUE_STATEMENTS) {
            queueStatements.put(statement, Timer.builder("ordinaut.queue.statement.duration")
                    .description("The executor's batched statements (claim, finish, renew), from sending to the reply")
                    .tag("statement", statement).serviceLevelObjectives(LATENCY_BUCKETS).register(registry));
        }
        for (String job : withOther(FIRE_JOBS)) {
            quartzFires.put(job, Counter.builder("ordinaut.quartz.fires").description("Quartz trigger fires on this node")
                    .tag("job", job).register(registry));
        }
        for (String limit : RATE_LIMITS) {
            refusals.put(limit, Counter.builder("ordinaut.rate.limit.refusals").description("Requests refused with 429")
                    .tag("limit", limit).register(registry));
        }
        for (int p = 0; p < PRIORITIES; p++) {
            String priority = Integer.toString(p + 1);
            for (int s = 0; s < QUEUE_STATES.size(); s++) {
                AtomicLong value = new AtomicLong();
                queueDepth[p][s] = value;
                Gauge.builder("ordinaut.queue.depth", value, AtomicLong::get).description("Runs in the queue (cluster-wide, sampled)")
                        .tag("priority", priority).tag("state", QUEUE_STATES.get(s)).register(registry);
            }
            AtomicLong bits = new AtomicLong(Double.doubleToLongBits(0));
            oldestReadyBits[p] = bits;
            Gauge.builder("ordinaut.queue.oldest.age", bits, b -> Double.longBitsToDouble(b.get())).baseUnit("seconds")
                    .description("How long the oldest ready run has been due (cluster-wide, sampled)")
                    .tag("priority", priority).register(registry);
        }
        Gauge.builder("ordinaut.quartz.cluster.size", clusterSize, AtomicLong::get)
                .description("Quartz scheduler instances checked in recently (sampled)").register(registry);
        for (String state : NODE_STATES) {
            AtomicLong value = new AtomicLong();
            nodes.put(state, value);
            Gauge.builder("ordinaut.cluster.nodes", value, AtomicLong::get).description("Nodes by worker_heartbeat state (sampled)")
                    .tag("state", state).register(registry);
        }
    }

    /** Metrics that go nowhere: for pools and routers built by hand (tests, benchmarks). */
    public static OrdinautMetrics none() {
        return new OrdinautMetrics(new CompositeMeterRegistry());
    }

    /**
     * A run attempt starts, {@code lagMillis} after it was due (its run_at: the occurrence, plus the task's
     * jitter or snooze; for a retry, the end of its backoff). A negative lag (clock skew) counts as zero.
     */
    public void runStarted(String trigger, long lagMillis) {
        one(fireLag, trigger).record(Math.max(0, lagMillis), TimeUnit.MILLISECONDS);
    }

    /**
     * A run attempt ended on this node with {@code outcome} (a run status: succeeded, failed, dead, skipped,
     * canceled) after {@code durationMillis} (negative: it never started, no duration is recorded).
     */
    public void runEnded(String outcome, String trigger, long durationMillis) {
        one(runsOf(outcome), trigger).increment();
        if (durationMillis >= 0) {
            one(runDuration, outcome).record(durationMillis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * {@code count} runs ended with {@code outcome} (skipped or canceled) before they started — an overlap or
     * stale run turned away by a claim, a dedupe duplicate, a cancel of a queued run, runs dropped by a task
     * change — recorded by a statement of this node. No duration is recorded: they never ran.
     */
    public void runsEndedUnstarted(String outcome, String trigger, long count) {
        countRuns(outcome, trigger, count);
    }

    /**
     * {@code count} attempts that a lost node started ended with {@code outcome} (failed, dead or canceled),
     * recorded by this node when it reclaimed their leases. No duration is recorded: when they stopped is
     * unknown.
     */
    public void runsEndedLost(String outcome, String trigger, long count) {
        countRuns(outcome, trigger, count);
    }

    private void countRuns(String outcome, String trigger, long count) {
        if (count > 0) {
            one(runsOf(outcome), trigger).increment(count);
        }
    }

    private Map<String, Counter> runsOf(String outcome) {
        Map<String, Counter> byTrigger = runs.get(outcome);
        return byTrigger != null ? byTrigger : runs.get(OTHER);
    }

    /** A pipeline step ended: {@code outcome} ok, failed or skipped. */
    public void stepEnded(String outcome, long nanos) {
        one(stepDuration, outcome).record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    /**
     * One tool call ended.
     *
     * @param tool      the registered tool's address, or {@link #UNREGISTERED_TOOL}
     * @param transport http, mcp or simulate
     * @param outcome   success, error (trying again cannot help) or retryable_error
     */
    public void toolCall(String tool, String transport, String outcome) {
        ToolMeters meters = tools.get(tool);
        if (meters == null) {
            meters = toolMeters(tool);
        }
        Counter counter = meters.counter(transport, outcome);
        if (counter != null) {
            counter.increment();
        }
    }

    public void leasesReclaimed(int runs) {
        leasesReclaimed.increment(runs);
    }

    /** Occurrences of a schedule recorded missed: {@code coalesced} into a catch-up run, or {@code dropped}. */
    public void misfires(boolean coalesced, int occurrences) {
        misfires.get(coalesced ? "coalesced" : "dropped").increment(occurrences);
    }

    /** One enqueue statement queued {@code runs} runs; {@code source} schedule, window, task_join, now or event. */
    public void enqueued(String source, int runs) {
        one(enqueueBatch, source).record(runs);
    }

    /** One claim statement took {@code runs} runs (only claims that took some are recorded). */
    public void claimed(int runs) {
        if (runs > 0) {
            claimBatch.record(runs);
        }
    }

    /** One of the executor's batched statements ({@link #QUEUE_STATEMENTS}) took {@code nanos}, failed or not. */
    public void queueStatement(String statement, long nanos) {
        Timer timer = queueStatements.get(statement);
        if (timer == null) {
            throw new IllegalArgumentException("Unknown queue statement " + statement + "; one of " + QUEUE_STATEMENTS);
        }
        timer.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    /** Quartz fired a trigger on this node: {@code job} occurrence (a shared schedule) or window. */
    public void quartzFired(String job) {
        one(quartzFires, job).increment();
    }

    /** A request was refused with 429: agent_burst, agent_hourly or unauthenticated. */
    public void rateLimitRefused(String limit) {
        Counter counter = refusals.get(limit);
        if (counter != null) {
            counter.increment();
        }
    }

    /** The queue as last sampled; {@code priority} 1–9 (others are ignored). */
    public void sampledQueue(int priority, long ready, long waiting, long running, double oldestReadySeconds) {
        if (priority < 1 || priority > PRIORITIES) {
            return;
        }
        AtomicLong[] states = queueDepth[priority - 1];
        states[0].set(ready);
        states[1].set(waiting);
        states[2].set(running);
        oldestReadyBits[priority - 1].set(Double.doubleToLongBits(Math.max(0, oldestReadySeconds)));
    }

    /** Quartz instances that checked in recently, as last sampled. */
    public void sampledClusterSize(long instances) {
        clusterSize.set(instances);
    }

    /** Nodes by worker_heartbeat state (running, draining, stopped, lost) as last sampled; states not given are zero. */
    public void sampledNodes(Map<String, Long> byState) {
        nodes.forEach((state, value) -> value.set(byState.getOrDefault(state, 0L)));
    }

    private synchronized ToolMeters toolMeters(String tool) {
        ToolMeters meters = tools.get(tool);
        if (meters != null) {
            return meters;
        }
        String tag = tool;
        if (tools.size() >= MAX_TOOLS) {
            tag = OTHER;
            meters = tools.get(OTHER);
            if (meters != null) {
                return meters;
            }
        }
        meters = new ToolMeters(registry, tag);
        tools.put(tag, meters);
        return meters;
    }

    private static <T> T one(Map<String, T> byTag, String value) {
        T meter = byTag.get(value);
        return meter != null ? meter : byTag.get(OTHER);
    }

    private static List<String> withOther(List<String> values) {
        return Stream.concat(values.stream(), Stream.of(OTHER)).toList();
    }

    private static Duration[] seconds(double... values) {
        Duration[] buckets = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            buckets[i] = Duration.ofNanos((long) (values[i] * 1_000_000_000L));
        }
        return buckets;
    }

    /** The counters of one tool address, by transport and outcome; a transport's three are registered with its first call. */
    private static final class ToolMeters {
        private final MeterRegistry registry;
        private final String tool;
        private final Map<String, Map<String, Counter>> byTransport = new ConcurrentHashMap<>();

        ToolMeters(MeterRegistry registry, String tool) {
            this.registry = registry;
            this.tool = tool;
        }

        Counter counter(String transport, String outcome) {
            Map<String, Counter> byOutcome = byTransport.get(transport);
            if (byOutcome == null) {
                if (!TRANSPORTS.contains(transport)) {
                    return null;
                }
                byOutcome = byTransport.computeIfAbsent(transport, this::register);
            }
            return byOutcome.get(outcome);
        }

        private Map<String, Counter> register(String transport) {
            Map<String, Counter> byOutcome = new HashMap<>();
            for (String outcome : TOOL_OUTCOMES) {
                byOutcome.put(outcome, Counter.builder("ordinaut.tool.calls").description("Tool calls, by tool address")
                        .tag("tool", tool).tag("transport", transport).tag("outcome", outcome).register(registry));
            }
            return byOutcome;
        }
    }
}
