package io.ordinaut.queue;

import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import io.ordinaut.config.NodeProperties;
import tools.jackson.databind.json.JsonMapper;

/**
 * The executor role: worker threads of its own (never Quartz's) fed by one claim loop, a LISTEN
 * connection for wake-ups, and a recorder that writes finished runs in batches.
 */
@Component
class ExecutorPool implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ExecutorPool.class);

    private final DueWorkQueue queue;
    private final RunHandler handler;
    private final DataSource dataSource;
    private final JsonMapper json;
    private final Clock clock;
    private final NodeProperties node;
    private final ExecutorProperties properties;

    private ExecutorService workers;
    private ClaimLoop claimLoop;
    private QueueListener listener;
    private RunRecorder recorder;
    private Thread claimThread;
    private Thread listenerThread;
    private Thread recorderThread;
    private volatile boolean running;

    ExecutorPool(DueWorkQueue queue, RunHandler handler, DataSource dataSource, JsonMapper json, Clock clock,
                 NodeProperties node, ExecutorProperties properties) {
        this.queue = queue;
        this.handler = handler;
        this.dataSource = dataSource;
        this.json = json;
        this.clock = clock;
        this.node = node;
        this.properties = properties;
    }

    @Override
    public synchronized void start() {
        if (running || !node.has(NodeProperties.Role.EXECUTOR)) {
            return;
        }
        Wakeup wakeup = new Wakeup();
        workers = Executors.newFixedThreadPool(properties.threads(), named("ordinaut-worker-"));
        recorder = new RunRecorder(queue, json, node.id(), properties.flushIntervalMs(), properties.flushBatchSize());
        claimLoop = new ClaimLoop(queue, handler, recorder, workers, wakeup, clock, node.id(), properties);
        listener = new QueueListener(dataSource, wakeup);
        recorderThread = start(recorder, "ordinaut-run-recorder");
        listenerThread = start(listener, "ordinaut-queue-listener");
        claimThread = start(claimLoop, "ordinaut-claim-loop");
        running = true;
        log.info("Executor pool started: {} worker threads, claim batch {}", properties.threads(), properties.claimBatchSize());
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        claimLoop.stop();
        listener.stop();
        join(claimThread);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("Runs still executing at shutdown; their leases will expire and another node will take them");
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        recorder.stop();
        join(recorderThread);
        join(listenerThread);
        log.info("Executor pool stopped");
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stop before the web server and the DataSource go away. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }

    int inFlight() {
        return running ? claimLoop.inFlight() : 0;
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
