package io.ordinaut.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * A redis-server of a test's own on a spare loopback port (no persistence), so the test can stop it, start it
 * again on the same port, or stall it (SIGSTOP) — a real Redis outage — without touching the shared server.
 */
public final class PrivateRedis implements AutoCloseable {

    private final int port;
    private final Path dir;
    private Process process;

    private PrivateRedis(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    /** Starts one on a spare port and returns once it answers PING. */
    public static PrivateRedis start() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        PrivateRedis redis = new PrivateRedis(port, Files.createTempDirectory("ordinaut-redis"));
        redis.startServer();
        return redis;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** Starts the server (again) on its port; returns once it answers PING. */
    public void startServer() throws IOException {
        process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            RedisClient client = RedisClient.create(url());
            try (StatefulRedisConnection<String, String> conn = client.connect()) {
                return "PONG".equals(conn.sync().ping());
            } finally {
                client.shutdown();
            }
        });
    }

    /** Stops the server (SIGTERM) and waits for it to exit. */
    public void stopServer() throws IOException, InterruptedException {
        if (process != null) {
            resume(); // a stopped process would not act on SIGTERM
            process.destroy();
            process.waitFor();
            process = null;
        }
    }

    /** Stalls the server (SIGSTOP): connections stay open, commands go unanswered. */
    public void stall() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** Undoes {@link #stall} (SIGCONT). */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stopServer();
    }
}
