package io.ordinaut.event;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A plain Server-Sent Events client for tests: collects each event's id, name and data. */
final class SseClient implements AutoCloseable {

    record Event(String id, String name, String data) {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final List<String> comments = new ArrayList<>();
    private final CompletableFuture<HttpResponse<Stream<String>>> response;
    private volatile int status;
    private volatile boolean ended;

    SseClient(int port, String token, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events/stream"))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        response = HttpClient.newHttpClient().sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines());
        response.thenAccept(r -> {
            status = r.statusCode();
            Map<String, String> fields = new LinkedHashMap<>();
            r.body().forEach(line -> {
                if (line.isEmpty()) {
                    if (fields.containsKey("data")) {
                        events.add(new Event(fields.get("id"), fields.get("event"), fields.get("data")));
                    }
                    fields.clear();
                } else if (line.startsWith(":")) {
                    synchronized (comments) {
                        comments.add(line);
                    }
                } else {
                    int colon = line.indexOf(':');
                    fields.put(line.substring(0, colon), line.substring(colon + 1).stripLeading());
                }
            });
            ended = true;
        }).whenComplete((ok, failure) -> ended = true);
    }

    /** The next event, or fails after the timeout. */
    Event next(Duration timeout) throws InterruptedException {
        Event e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            throw new AssertionError("no SSE event within " + timeout + " (status " + status + ")");
        }
        return e;
    }

    /** Events until one named {@code name} arrives (included). */
    List<Event> until(String name, Duration timeout) throws InterruptedException {
        List<Event> seen = new ArrayList<>();
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (true) {
            Event e = next(Duration.ofMillis(Math.max(1, deadline - System.currentTimeMillis())));
            seen.add(e);
            if (e.name().equals(name)) {
                return seen;
            }
        }
    }

    List<Event> drain() {
        List<Event> all = new ArrayList<>();
        events.drainTo(all);
        return all;
    }

    int status() {
        return status;
    }

    /** The server ended the stream (or it failed). */
    boolean ended() {
        return ended;
    }

    /** The keep-alive comments received (not the "open" comment the stream starts with). */
    int keepAlives() {
        synchronized (comments) {
            return (int) comments.stream().filter(c -> c.contains("keep-alive")).count();
        }
    }

    @Override
    public void close() {
        response.cancel(true);
    }
}
