package io.ordinaut.failover;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.ordinaut.support.Api;

/**
 * The cluster docker/local-cluster.sh starts — real node processes behind a real nginx — driven from a test:
 * the nodes run this module's classes and dependencies (ORDINAUT_CLUSTER_CLASSPATH), so nothing is packaged.
 */
final class LocalCluster implements AutoCloseable {

    private final Path script;
    private final Path dir;
    private final int lbPort;
    private final int basePort;
    private final Map<String, String> env;
    private final Path output;

    LocalCluster(String databaseUrl, String nodeArgs) throws IOException {
        Path root = Path.of("").toAbsolutePath();
        this.script = root.resolve("docker/local-cluster.sh");
        this.dir = Files.createDirectories(root.resolve("target/failover-" + System.currentTimeMillis()));
        this.output = dir.resolve("script.out");
        this.basePort = freeRange(5);
        this.lbPort = basePort + 4;
        this.env = new java.util.HashMap<>(Map.of(
                "ORDINAUT_CLUSTER_DIR", dir.toString(),
                "ORDINAUT_CLUSTER_PORT", Integer.toString(lbPort),
                "ORDINAUT_CLUSTER_BASE_PORT", Integer.toString(basePort),
                "ORDINAUT_CLUSTER_CLASSPATH", classPath(),
                "ORDINAUT_CLUSTER_NODE_ARGS", nodeArgs,
                "ORDINAUT_DB_URL", databaseUrl,
                "ORDINAUT_DB_USER", "postgres",
                "ORDINAUT_DB_POOL_SIZE", "10",
                "ORDINAUT_ADMIN_TOKEN", Api.ADMIN_TOKEN,
                "ORDINAUT_REDIS_URL", "none"));
        // generous: several JVMs starting at once on two cores
        env.put("ORDINAUT_CLUSTER_START_TIMEOUT", "600");
    }

    void start(int nodes) {
        script("start", Integer.toString(nodes));
    }

    void stopNode(int i) {
        script("stop-node", Integer.toString(i));
    }

    void startNode(int i) {
        script("start-node", Integer.toString(i));
    }

    void rollingRestart() {
        script("rolling-restart");
    }

    String status() {
        return script(true, "status");
    }

    /** nginx's port: the cluster's one address. */
    int port() {
        return lbPort;
    }

    int nodePort(int i) {
        return basePort + i - 1;
    }

    long pid(int i) {
        try {
            return Long.parseLong(Files.readString(dir.resolve("node" + i + ".pid")).trim());
        } catch (IOException e) {
            throw new IllegalStateException("node" + i + " has no pid file", e);
        }
    }

    /** Sends a signal (KILL, STOP, CONT, TERM) to node i's process. */
    void signal(int i, String signal) {
        run(List.of("kill", "-" + signal, Long.toString(pid(i))), false);
    }

    String log(int i) {
        try {
            return Files.readString(dir.resolve("node" + i + ".log"));
        } catch (IOException e) {
            return "";
        }
    }

    Path dir() {
        return dir;
    }

    @Override
    public void close() {
        script(true, "stop");
    }

    private String script(String... args) {
        return script(false, args);
    }

    private String script(boolean mayFail, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        return run(command, mayFail);
    }

    private String run(List<String> command, boolean mayFail) {
        try {
            Path out = Files.createTempFile(dir, "cmd-", ".out");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            builder.environment().putAll(env);
            Process p = builder.start();
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(command + " did not finish");
            }
            String text = Files.readString(out);
            Files.writeString(output, "$ " + String.join(" ", command) + "\n" + text, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            System.out.print(text);
            if (p.exitValue() != 0 && !mayFail) {
                throw new IllegalStateException(command + " failed (" + p.exitValue() + "):\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException(command + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** This module's runtime class path without the test classes (whose logback-test.xml is not a node's). */
    private static String classPath() {
        String[] entries = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")).split(File.pathSeparator);
        List<String> out = new ArrayList<>();
        for (String entry : entries) {
            Path p = Path.of(entry);
            if (!entry.isBlank() && !p.endsWith("test-classes") && Files.exists(p)) {
                out.add(p.toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, out);
    }

    /** The first of {@code n} consecutive free loopback ports. */
    private static int freeRange(int n) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 40_000);
            boolean free = true;
            for (int port = base; port < base + n && free; port++) {
                try (ServerSocket ignored = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                    // free
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("no " + n + " consecutive free ports");
    }

    static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }
}
