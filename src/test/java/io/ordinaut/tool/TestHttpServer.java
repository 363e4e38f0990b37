package io.ordinaut.tool;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/** A real HTTP server on 127.0.0.1 with scripted answers per path, recording every request. */
final class TestHttpServer implements AutoCloseable {

    record Request(String method, String path, Map<String, List<String>> headers, String body, long receivedNanos) {
        String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst().orElse(null);
        }
    }

    record Answer(int status, String body, Map<String, String> headers, long delayMillis) {
        static Answer json(int status, String body) {
            return new Answer(status, body, Map.of("Content-Type", "application/json"), 0);
        }

        static Answer redirect(int status, String location) {
            return new Answer(status, "", Map.of("Location", location), 0);
        }

        Answer delayed(long millis) {
            return new Answer(status, body, headers, millis);
        }
    }

    /** Decides the answer to a request; may look at the request and how many came before. */
    interface Script {
        Answer answer(Request request, int previousRequests);
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Script> scripts = new ConcurrentHashMap<>();

    TestHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    TestHttpServer on(String path, Script script) {
        scripts.put(path, script);
        return this;
    }

    TestHttpServer on(String path, Answer answer) {
        return on(path, (request, previous) -> answer);
    }

    /** How a {@link #stream streamed} answer went: bytes written, and whether the client hung up midway. */
    record Stream(AtomicLong written, CompletableFuture<Boolean> hungUp) {
    }

    /**
     * Answers {@code path} with 200 and a chunked body of {@code chunks} chunks of {@code chunkBytes}, pausing
     * {@code pauseMillis} between them: for clients that should stop reading early and drop the connection.
     */
    Stream stream(String path, int chunkBytes, long chunks, long pauseMillis) {
        Stream stream = new Stream(new AtomicLong(), new CompletableFuture<>());
        byte[] chunk = "x".repeat(chunkBytes).getBytes(StandardCharsets.US_ASCII);
        server.createContext(path, exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, 0);
                OutputStream out = exchange.getResponseBody();
                for (long i = 0; i < chunks; i++) {
                    out.write(chunk);
                    out.flush();
                    stream.written().addAndGet(chunk.length);
                    if (pauseMillis > 0) {
                        Thread.sleep(pauseMillis);
                    }
                }
                stream.hungUp().complete(false);
            } catch (IOException e) {
                stream.hungUp().complete(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stream.hungUp().complete(false);
            }
        });
        return stream;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<Request> requests() {
        return requests;
    }

    List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Request request = new Request(exchange.getRequestMethod(), path, Map.copyOf(exchange.getRequestHeaders()), body,
                System.nanoTime());
        int previous = requests(path).size();
        requests.add(request);
        Script script = scripts.get(path);
        Answer answer = script == null ? Answer.json(404, "{\"error\":\"no route\"}") : script.answer(request, previous);
        if (answer.delayMillis() > 0) {
            try {
                Thread.sleep(answer.delayMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        try {
            exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        } catch (IOException e) {
            // the client gave up (timeout tests)
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
