package io.ordinaut.failover;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/** A real HTTP tool that takes {@link #TAKES} to answer, and remembers each call (run id, attempt, times). */
final class SlowTool implements AutoCloseable {

    static final Duration TAKES = Duration.ofSeconds(5);

    record Call(String runId, String attempt, Instant received, Instant answered) {
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(64);
    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> inProgress = new ConcurrentLinkedQueue<>();

    SlowTool() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        server.setExecutor(threads);
        server.createContext("/work", this::handle);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/work";
    }

    List<Call> calls() {
        return List.copyOf(calls);
    }

    /** Run ids whose call is being answered right now. */
    List<String> inProgress() {
        return List.copyOf(inProgress);
    }

    private void handle(HttpExchange exchange) throws IOException {
        Instant received = Instant.now();
        String runId = exchange.getRequestHeaders().getFirst("X-Ordinaut-Run-Id");
        String attempt = exchange.getRequestHeaders().getFirst("X-Ordinaut-Attempt");
        exchange.getRequestBody().readAllBytes();
        inProgress.add(runId + "");
        try {
            Thread.sleep(TAKES.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        try (OutputStream out = exchange.getResponseBody()) {
            exchange.sendResponseHeaders(200, body.length);
            out.write(body);
        } catch (IOException callerGone) {
            // a killed node: its answer goes nowhere
        } finally {
            inProgress.remove(runId + "");
            calls.add(new Call(runId, attempt, received, Instant.now()));
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
