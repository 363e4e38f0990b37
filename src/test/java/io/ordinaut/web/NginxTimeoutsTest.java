package io.ordinaut.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/**
 * docker/nginx.conf, run by a real nginx, keeps the documented retry budget (3 tries, 15 s at most): a node
 * that accepts a request and never answers costs one try, not the minute it used to, and the request is
 * answered by another node within the budget; the event stream (SSE) still outlives that read timeout.
 * The nodes here are stand-ins on loopback ports — a silent socket and a small HTTP server — since what is
 * under test is the proxy's configuration.
 */
@Tag("cluster")
class NginxTimeoutsTest {

    private static final Duration BUDGET = Duration.ofSeconds(15);
    private final List<AutoCloseable> running = new ArrayList<>();
    private Path base;

    @AfterEach
    void stop() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        if (base != null) {
            try (Stream<Path> walk = Files.walk(base)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void a_node_that_never_answers_costs_one_try_and_the_request_is_answered_by_another_within_the_budget() throws Exception {
        int hung = silentNode();
        int healthy = answeringNode();
        int port = nginx(List.of(hung, healthy));
        HttpClient http = HttpClient.newHttpClient();
        // Round robin: of two requests in a row, one goes to the silent node first.
        for (int i = 0; i < 2; i++) {
            long start = System.nanoTime();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tasks"))
                    .timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofString());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(r.statusCode()).as("request %d after %s: %s", i, took, r.body()).isEqualTo(200);
            assertThat(took).as("request %d", i).isLessThan(BUDGET);
        }
    }

    @Test
    void the_event_stream_passes_each_event_at_once_and_outlives_the_read_timeout_of_other_requests() throws Exception {
        int healthy = answeringNode();
        int port = nginx(List.of(healthy));
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(60_000);
            s.getOutputStream().write(("GET /events/stream HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            long start = System.nanoTime();
            assertThat(in.readLine()).startsWith("HTTP/1.1 200");
            String line;
            while ((line = in.readLine()) != null && !line.contains("data: first")) {
                // headers and framing
            }
            assertThat(line).as("first event").contains("data: first");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("first event unbuffered").isLessThan(Duration.ofSeconds(5));
            while ((line = in.readLine()) != null && !line.contains("data: second")) {
                // nothing for 12 s, longer than other requests' read timeout
            }
            assertThat(line).as("second event, after 12 s of silence").contains("data: second");
        }
    }

    /** A node that accepts connections and reads requests, but never answers (hung). */
    private int silentNode() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        List<Socket> held = new CopyOnWriteArrayList<>();
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    held.add(server.accept());
                } catch (IOException e) {
                    return;
                }
            }
        }, "silent-node");
        t.setDaemon(true);
        t.start();
        running.add(() -> {
            server.close();
            for (Socket s : held) {
                s.close();
            }
        });
        return server.getLocalPort();
    }

    /** A node that answers /tasks at once, and /events/stream with one event, 12 s of silence, and another. */
    private int answeringNode() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.createContext("/tasks", exchange -> {
            byte[] body = "{\"items\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/events/stream", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("id: 1\ndata: first\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(12_000);
                out.write("id: 2\ndata: second\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        running.add(() -> server.stop(0));
        return server.getAddress().getPort();
    }

    /**
     * Starts nginx on docker/nginx.conf with these upstream ports, the way docker/local-cluster.sh does: the
     * same file, with only the server lines, the listen port and the log and temp paths replaced.
     */
    private int nginx(List<Integer> upstreams) throws Exception {
        Path bin = Stream.of("/usr/sbin/nginx", "/usr/bin/nginx").map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        assumeTrue(bin != null, "nginx is not installed");
        base = Files.createTempDirectory(Path.of("/tmp"), "ordinaut-nginx-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        Path tmp = Files.createDirectories(base.resolve("tmp"));
        for (String m : List.of("body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            Files.setPosixFilePermissions(Files.createDirectories(tmp.resolve(m)), PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String servers = upstreams.stream().map(p -> "    server 127.0.0.1:" + p + " max_fails=2 fail_timeout=5s;")
                .collect(Collectors.joining("\n"));
        String locals = "  access_log " + base.resolve("access.log") + ";\n  client_body_temp_path " + tmp.resolve("body")
                + ";\n  proxy_temp_path " + tmp.resolve("proxy") + ";\n  fastcgi_temp_path " + tmp.resolve("fastcgi")
                + ";\n  uwsgi_temp_path " + tmp.resolve("uwsgi") + ";\n  scgi_temp_path " + tmp.resolve("scgi") + ";";
        StringBuilder conf = new StringBuilder("pid " + base.resolve("nginx.pid") + ";\nerror_log " + base.resolve("error.log") + " warn;\n");
        boolean serversDone = false;
        for (String line : Files.readAllLines(Path.of("docker/nginx.conf"))) {
            if (line.matches("\\s*server node[0-9]+:.*")) {
                if (!serversDone) {
                    conf.append(servers).append('\n');
                    serversDone = true;
                }
                continue;
            }
            if (line.matches("\\s*listen 8080;")) {
                conf.append("    listen 127.0.0.1:").append(port).append(";\n");
                continue;
            }
            conf.append(line).append('\n');
            if (line.matches("^http\\s*\\{.*")) {
                conf.append(locals).append('\n');
            }
        }
        Path file = base.resolve("nginx.conf");
        Files.writeString(file, conf);
        Process p = new ProcessBuilder(bin.toString(), "-p", base + "/", "-e", base.resolve("error.log").toString(),
                "-c", file.toString()).redirectErrorStream(true).redirectOutput(base.resolve("start.log").toFile()).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(base.resolve("start.log"))).isZero();
        running.add(() -> {
            Process stop = new ProcessBuilder(bin.toString(), "-p", base + "/", "-e", base.resolve("error.log").toString(),
                    "-c", file.toString(), "-s", "stop").start();
            stop.waitFor(30, TimeUnit.SECONDS);
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return port;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("nginx did not listen on " + port + ": " + Files.readString(base.resolve("error.log")));
    }
}
