package io.ordinaut.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.ordinaut.support.Eventually;

/**
 * A node on the zero-configuration default (embedded PostgreSQL), started as its own OS process the way a
 * user starts it, stops promptly and cleanly on SIGTERM: within the drain grace plus a margin, with no
 * ERROR line or stack trace in its log, and with its worker_heartbeat row saying {@code stopped} — which
 * only holds if the embedded database outlives the drain.
 *
 * <p>The process runs {@link io.ordinaut.OrdinautApplication} on this module's class path (what the packaged
 * jar holds; {@code mvn test} does not package). PostgreSQL refuses to run as root, so where the test runs as
 * root the node runs as {@code nobody} (via setpriv) in a folder under the temporary folder, with its class
 * path hard-linked (or copied) there, since ~/.m2 and the build folder may be closed to other users.
 */
@Tag("slow")
class EmbeddedShutdownTest {

    private static final int GRACE_SECONDS = 5;
    /** Generous for a loaded 2-core machine; the bug this guards against took about 87 s. */
    private static final Duration STOP_LIMIT = Duration.ofSeconds(GRACE_SECONDS + 15);
    private static final Duration START_LIMIT = Duration.ofSeconds(180);

    private final List<Process> started = new ArrayList<>();
    private Path base;

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (base != null) {
            deleteRecursively(base);
        }
    }

    @Test
    void sigterm_stops_an_embedded_default_node_quickly_cleanly_and_recorded_stopped() throws Exception {
        RunAs runAs = RunAs.forThisProcess();
        base = runAs.workFolder();
        Path home = Files.createDirectories(base.resolve("home"));
        Path tmp = Files.createDirectories(base.resolve("tmp"));
        Path dataDir = base.resolve("data").resolve("postgres");
        Files.createDirectories(dataDir.getParent());
        String classPath = runAs.readableClassPath(base.resolve("lib"));
        runAs.handOver(base, home, tmp, dataDir.getParent());
        Path log = base.resolve("node.log");
        int port = freePort();

        List<String> command = new ArrayList<>(runAs.prefix());
        command.addAll(List.of(javaBinary(), "-Xmx384m", "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + tmp,
                "-cp", classPath, "io.ordinaut.OrdinautApplication",
                "--ordinaut.executor.shutdown-grace-seconds=" + GRACE_SECONDS));
        ProcessBuilder builder = new ProcessBuilder(command).directory(base.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.remove("ORDINAUT_DB_URL");
        env.remove("SPRING_DATASOURCE_URL");
        env.put("HOME", home.toString());
        env.put("ORDINAUT_DATA_DIR", dataDir.toString());
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("ORDINAUT_ADMIN_TOKEN", "embedded-shutdown-admin-token");
        env.put("ORDINAUT_EXECUTOR_THREADS", "4");
        Process node = builder.start();
        started.add(node);

        awaitLine(node, log, "Ordinaut ", " started: port=" + port, START_LIMIT);

        long sent = System.nanoTime();
        node.destroy(); // SIGTERM
        boolean exited = node.waitFor(STOP_LIMIT.toSeconds() + 60, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - sent);
        String output = Files.readString(log, StandardCharsets.UTF_8);

        assertThat(exited).as("the node exits after SIGTERM; its log:%n%s", output).isTrue();
        assertThat(took).as("time from SIGTERM to exit; log:%n%s", output).isLessThan(STOP_LIMIT);
        assertThat(output).as("the node's log").contains("Embedded PostgreSQL stopped");
        List<String> bad = output.lines()
                .filter(l -> l.contains(" ERROR ") || l.startsWith("\tat ") || l.matches("^\\S*(Exception|Error)(: .*)?$")
                        || l.startsWith("Caused by:"))
                .toList();
        assertThat(bad).as("ERROR lines or stack traces in the log:%n%s", output).isEmpty();
        assertThat(heartbeatStates(runAs, tmp, dataDir)).as("worker_heartbeat states").containsExactly("stopped");
    }

    /** Starts the stopped embedded server again with the binaries the node extracted, and reads the heartbeat. */
    private List<String> heartbeatStates(RunAs runAs, Path tmp, Path dataDir) throws Exception {
        Path pgCtl;
        try (Stream<Path> walk = Files.walk(tmp.resolve("embedded-pg"))) {
            pgCtl = walk.filter(p -> p.endsWith(Path.of("bin", "pg_ctl"))).findFirst().orElseThrow();
        }
        int port = freePort();
        List<String> start = new ArrayList<>(runAs.prefix());
        start.addAll(List.of(pgCtl.toString(), "-D", dataDir.toString(), "-w", "-t", "60", "-l", base.resolve("pg-check.log").toString(),
                "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + tmp, "start"));
        run(start, runAs);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT state FROM worker_heartbeat")) {
            List<String> states = new ArrayList<>();
            while (rs.next()) {
                states.add(rs.getString(1));
            }
            return states;
        } finally {
            List<String> stop = new ArrayList<>(runAs.prefix());
            stop.addAll(List.of(pgCtl.toString(), "-D", dataDir.toString(), "-m", "fast", "-w", "stop"));
            run(stop, runAs);
        }
    }

    private void run(List<String> command, RunAs runAs) throws Exception {
        Path out = base.resolve("pg_ctl.out");
        Process p = new ProcessBuilder(command).directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
        started.add(p);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("%s finishes", command).isTrue();
        assertThat(p.exitValue()).as("%s: %s", command, Files.readString(out)).isZero();
    }

    private static void awaitLine(Process node, Path log, String start, String contains, Duration limit) {
        Eventually.await("the node's start line", limit).pollInterval(Duration.ofMillis(200))
                .failFast("the node exited while starting", () -> assertThat(node.isAlive())
                        .as("the node is still starting; its log:%n%s", Files.exists(log) ? Files.readString(log) : "").isTrue())
                .untilAsserted(() -> {
                    String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
                    assertThat(text.lines().anyMatch(l -> l.contains(start) && l.contains(contains)))
                            .as("the node logged its start line; its log:%n%s", text).isTrue();
                });
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Who the node runs as: this user, or nobody (through setpriv) when this is root. */
    private record RunAs(List<String> prefix, String user) {

        static RunAs forThisProcess() {
            if (!"root".equals(System.getProperty("user.name"))) {
                return new RunAs(List.of(), null);
            }
            assumeTrue(new File("/usr/bin/setpriv").canExecute() || new File("/bin/setpriv").canExecute(),
                    "The test runs as root and PostgreSQL refuses root; setpriv (util-linux) is needed to run the node as nobody");
            assumeTrue(lookup("nobody") != null, "The test runs as root and there is no user 'nobody' to run the embedded PostgreSQL as");
            return new RunAs(List.of("setpriv", "--reuid=nobody", "--regid=" + groupOfNobody(), "--clear-groups", "--"), "nobody");
        }

        /** This module's runtime class path, readable by the node's user (test classes and their logback-test.xml left out). */
        String readableClassPath(Path lib) throws IOException {
            String[] entries = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")).split(File.pathSeparator);
            List<String> out = new ArrayList<>();
            Files.createDirectories(lib);
            int i = 0;
            for (String entry : entries) {
                Path p = Path.of(entry);
                if (entry.isBlank() || p.endsWith("test-classes") || !Files.exists(p)) {
                    continue;
                }
                if (user == null) {
                    out.add(p.toAbsolutePath().toString());
                    continue;
                }
                // Numbered: two artifacts may share a file name.
                Path target = lib.resolve((i++) + "-" + p.getFileName());
                if (Files.isDirectory(p)) {
                    copyTree(p, target);
                } else {
                    try {
                        Files.createLink(target, p);
                    } catch (IOException | UnsupportedOperationException e) {
                        Files.copy(p, target);
                    }
                }
                out.add(target.toString());
            }
            return String.join(File.pathSeparator, out);
        }

        /**
         * A fresh folder the node's user can reach: under the temporary folder, not the build folder, whose
         * parents (a home folder, say) may be closed to other users.
         */
        Path workFolder() throws IOException {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            if (user != null && !traversableByOthers(tmp)) {
                tmp = Path.of("/tmp");
            }
            assumeTrue(user == null || traversableByOthers(tmp),
                    "The test runs as root and no temporary folder is reachable by 'nobody' to run the embedded PostgreSQL in");
            return Files.createTempDirectory(tmp, "ordinaut-embedded-shutdown-");
        }

        private static boolean traversableByOthers(Path dir) throws IOException {
            for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
                if (!Files.isDirectory(p) || !Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            }
            return true;
        }

        /** Gives the node's user the folders it writes, and lets it through the folders above them. */
        void handOver(Path base, Path... writable) throws IOException {
            if (user == null) {
                return;
            }
            UserPrincipalLookupService users = base.getFileSystem().getUserPrincipalLookupService();
            UserPrincipal owner = users.lookupPrincipalByName(user);
            GroupPrincipal group = users.lookupPrincipalByGroupName(groupOfNobody());
            for (Path dir : writable) {
                Files.getFileAttributeView(dir, PosixFileAttributeView.class).setOwner(owner);
                Files.getFileAttributeView(dir, PosixFileAttributeView.class).setGroup(group);
            }
            Files.getFileAttributeView(base, PosixFileAttributeView.class).setOwner(owner);
        }

        private static String groupOfNobody() {
            return lookupGroup("nogroup") != null ? "nogroup" : "nobody";
        }

        private static UserPrincipal lookup(String name) {
            try {
                return Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(name);
            } catch (IOException e) {
                return null;
            }
        }

        private static GroupPrincipal lookupGroup(String name) {
            try {
                return Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(name);
            } catch (IOException e) {
                return null;
            }
        }
    }
}
