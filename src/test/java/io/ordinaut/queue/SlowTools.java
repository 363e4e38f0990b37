package io.ordinaut.queue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.ordinaut.support.Api;

/**
 * Real HTTP tools on loopback that answer JSON after a delay (a minute: never, for a run's timeout), and the
 * never-firing task a test runs them in with run_now. Register them with {@code ordinaut.tools.allow-loopback}.
 */
final class SlowTools implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    SlowTools() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(threads);
    }

    /** Answers {@code path} with {@code status} and {@code json} after {@code afterMillis}; {@code onCall} runs first. */
    SlowTools answering(String path, int status, long afterMillis, String json, Runnable onCall) {
        server.createContext(path, exchange -> {
            onCall.run();
            answer(exchange, status, afterMillis, json);
        });
        return this;
    }

    SlowTools answering(String path, int status, long afterMillis, String json) {
        return answering(path, status, afterMillis, json, () -> { });
    }

    SlowTools start() {
        server.start();
        return this;
    }

    /** Registers an http tool at {@code address} calling {@code path} of this server. */
    void register(Api api, String address, String path) {
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("address", address);
        tool.put("transport", "http");
        tool.put("endpoint", "http://127.0.0.1:" + server.getAddress().getPort() + path);
        api.post("/tools", tool).expect(201);
    }

    /** A task that never fires on its own (1 January, 03:00) and is not retried; {@code fields} override. */
    static String task(Api api, String title, Map<String, Object> fields, List<Map<String, Object>> steps) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("title", title);
        task.put("schedule_kind", "cron");
        task.put("schedule_expr", "0 3 1 1 *");
        task.put("max_retries", 0);
        task.put("payload", Map.of("params", Map.of(), "pipeline", steps));
        task.putAll(fields);
        return api.post("/tasks", task).expect(201).string("id");
    }

    static String runNow(Api api, String taskId) {
        return api.post("/tasks/" + taskId + "/run_now", Map.of()).expect(200).details().get("run_id").toString();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private static void answer(HttpExchange exchange, int status, long afterMillis, String json) throws IOException {
        exchange.getRequestBody().readAllBytes();
        try {
            Thread.sleep(afterMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        try (OutputStream out = exchange.getResponseBody()) {
            exchange.sendResponseHeaders(status, body.length);
            out.write(body);
        } catch (IOException callerGone) {
            // the run was ended before the answer: it goes nowhere
        }
    }
}
