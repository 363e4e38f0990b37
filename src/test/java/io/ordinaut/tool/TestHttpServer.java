package io.ordinaut.tool;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

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
