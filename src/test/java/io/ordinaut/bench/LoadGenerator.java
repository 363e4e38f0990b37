package io.ordinaut.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import io.ordinaut.support.Api;

/**
 * A closed-loop HTTP load generator: {@code clients} threads, each with its own keep-alive connection,
 * send requests back to back for a while (or until a number of requests is done) and time each one.
 */
final class LoadGenerator {

    /** The request a client sends next: its path and JSON body (null: no body). */
    interface Requests {
        Request next(int client, int sequence);
    }

    /** A POST with a JSON body (null: none), or a GET. */
    record Request(String method, String path, String body) {

        Request(String path, String body) {
            this("POST", path, body);
        }

        static Request get(String path) {
            return new Request("GET", path, null);
        }
    }

    record Result(int requests, int failures, double perSecond, double p50Millis, double p99Millis, String firstFailure) {
    }

    private LoadGenerator() {
    }

    /**
     * @param bases    node base URLs; client i talks to bases[i % n]
     * @param duration how long to send, or null to stop after {@code total} requests
     */
    static Result run(List<String> bases, int clients, Duration duration, int total, int expectedStatus, Requests requests)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicInteger issued = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        String[] firstFailure = new String[1];
        long start = System.nanoTime();
        long stopAt = duration == null ? Long.MAX_VALUE : start + duration.toNanos();
        List<Future<List<Long>>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            futures.add(pool.submit(() -> {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
                String base = bases.get(client % bases.size());
                List<Long> latencies = new ArrayList<>();
                for (int seq = 0; System.nanoTime() < stopAt; seq++) {
                    if (duration == null && issued.getAndIncrement() >= total) {
                        break;
                    }
                    Request r = requests.next(client, seq);
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + r.path())).timeout(Duration.ofSeconds(120))
                            .header("Authorization", "Bearer " + Api.ADMIN_TOKEN)
                            .header("Content-Type", "application/json")
                            .method(r.method(), r.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(r.body()));
                    long t0 = System.nanoTime();
                    HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                    latencies.add(System.nanoTime() - t0);
                    if (response.statusCode() != expectedStatus) {
                        failures.incrementAndGet();
                        synchronized (firstFailure) {
                            if (firstFailure[0] == null) {
                                String body = response.body();
                                firstFailure[0] = response.statusCode() + " " + body.substring(0, Math.min(300, body.length()));
                            }
                        }
                    }
                }
                return latencies;
            }));
        }
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> f : futures) {
            all.addAll(f.get());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdownNow();
        double[] ms = all.stream().mapToDouble(n -> n / 1e6).toArray();
        Arrays.sort(ms);
        return new Result(ms.length, failures.get(), ms.length / seconds, Bench.percentile(ms, 0.5), Bench.percentile(ms, 0.99),
                firstFailure[0]);
    }
}
