package io.ordinaut.pipeline;

import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.MDC;

import io.ordinaut.tool.ToolCall;
import io.ordinaut.tool.ToolCallException;
import io.ordinaut.tool.ToolInvoker;

/**
 * Runs tool calls on a separate thread so that a step timeout holds even for a tool that ignores
 * interrupts: the runner stops waiting, interrupts the call and moves on. The run's own thread then
 * only ever sees interrupts from its caller (run timeout), never from a step timeout.
 */
final class TimedCalls {

    private final ToolInvoker tools;
    private final ExecutorService executor;

    TimedCalls(ToolInvoker tools, ExecutorService executor) {
        this.tools = tools;
        this.executor = executor;
    }

    Object call(ToolCall call) throws InterruptedException {
        if (tools.completesImmediately(call)) {
            try {
                return tools.invoke(call);
            } catch (RuntimeException e) {
                throw asToolFailure(call, e);
            }
        }
        Future<Object> future;
        // The run's log context (task_id, run_id) goes with the call, so a transport's log lines carry it.
        Map<String, String> logContext = MDC.getCopyOfContextMap();
        try {
            future = executor.submit(() -> invokeWith(logContext, call));
        } catch (RejectedExecutionException e) {
            throw new ToolCallException("no thread available to call " + call.address() + ": " + e.getMessage(), true, null, e);
        }
        try {
            return future.get(call.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new ToolCallException(call.address() + " timed out after " + call.timeout().toSeconds() + "s", true, null, e);
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (CancellationException e) {
            throw new ToolCallException(call.address() + " was cancelled", true, null, e);
        } catch (ExecutionException e) {
            throw asToolFailure(call, e.getCause());
        }
    }

    private Object invokeWith(Map<String, String> logContext, ToolCall call) {
        if (logContext == null) {
            return tools.invoke(call);
        }
        MDC.setContextMap(logContext);
        try {
            return tools.invoke(call);
        } finally {
            MDC.clear();
        }
    }

    private static ToolCallException asToolFailure(ToolCall call, Throwable cause) {
        if (cause instanceof ToolCallException failure) {
            return failure;
        }
        if (cause instanceof UncheckedIOException) {
            return new ToolCallException(call.address() + " failed: " + cause.getMessage(), true, null, cause);
        }
        // an unexpected exception is a bug in the tool adapter; retrying would repeat it
        return new ToolCallException(call.address() + " failed: " + cause, false, null, cause);
    }

    /** The default pool: grows with concurrent calls, threads are daemons so they never block shutdown. */
    static ExecutorService sharedExecutor() {
        return Shared.POOL;
    }

    private static final class Shared {
        static final ExecutorService POOL = Executors.newCachedThreadPool(new ThreadFactory() {
            private final AtomicInteger count = new AtomicInteger();

            @Override
            public Thread newThread(Runnable task) {
                Thread thread = new Thread(task, "ordinaut-tool-call-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            }
        });
    }
}
