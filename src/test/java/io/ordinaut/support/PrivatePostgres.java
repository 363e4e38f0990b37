package io.ordinaut.support;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a test's own (initdb + pg_ctl from the installed PostgreSQL, on a spare loopback
 * port), so the test can stop and start it — a real database outage — without touching the shared server.
 * PostgreSQL refuses to run as root, so as root the server runs as the {@code postgres} user (or
 * {@code nobody}) through setpriv, in a folder under /tmp that user can reach.
 */
public final class PrivatePostgres implements AutoCloseable {

    private final Path bin;
    private final Path base;
    private final Path data;
    private final List<String> prefix;
    private final int port;

    private PrivatePostgres(Path bin, Path base, List<String> prefix, int port) {
        this.bin = bin;
        this.base = base;
        this.data = base.resolve("data");
        this.prefix = prefix;
        this.port = port;
    }

    /** Creates and starts a fresh server; the test is skipped (not failed) where PostgreSQL is not installed. */
    public static PrivatePostgres start() throws IOException {
        Path bin = findBin();
        assumeTrue(bin != null, "No PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin");
        List<String> prefix = List.of();
        Path base = Files.createTempDirectory(Path.of("/tmp"), "ordinaut-pg-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        if ("root".equals(System.getProperty("user.name"))) {
            String user = userExists("postgres") ? "postgres" : "nobody";
            assumeTrue(new File("/usr/bin/setpriv").canExecute() || new File("/bin/setpriv").canExecute(),
                    "Running as root: setpriv is needed to run PostgreSQL as another user");
            prefix = List.of("setpriv", "--reuid=" + user, "--regid=" + primaryGroup(user), "--clear-groups", "--");
            run(List.of("chown", user + ":" + primaryGroup(user), base.toString()), base);
        }
        PrivatePostgres pg = new PrivatePostgres(bin, base, prefix, freePort());
        pg.run(List.of(bin.resolve("initdb").toString(), "-D", pg.data.toString(), "-U", "postgres", "-A", "trust",
                "--no-sync", "-E", "UTF8", "--locale=C"));
        pg.startServer();
        return pg;
    }

    public int port() {
        return port;
    }

    /** A JDBC URL of database {@code name} (created when missing) on this server. */
    public String createDatabase(String name) {
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", "")) {
            c.createStatement().execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + name, e);
        }
        return url(name);
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Starts the (stopped) server again, on the same port with the same data. */
    public void startServer() throws IOException {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "120",
                "-l", base.resolve("server.log").toString(), "-o",
                "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + base
                        + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
                "start"));
    }

    /** Stops the server: every connection is dropped and new ones are refused until {@link #startServer}. */
    public void stopServer() throws IOException {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "120", "stop"));
    }

    public boolean running() {
        try (Connection ignored = DriverManager.getConnection(url("postgres"), "postgres", "")) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        if (Files.exists(data.resolve("postmaster.pid"))) {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"));
        }
        try (Stream<Path> walk = Files.walk(base)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void run(List<String> command) throws IOException {
        List<String> full = new ArrayList<>(prefix);
        full.addAll(command);
        run(full, base);
    }

    private static void run(List<String> command, Path dir) throws IOException {
        Path out = dir.resolve("commands.log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
        try {
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command + " did not finish: " + Files.readString(out));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(command + " failed (" + p.exitValue() + "): " + Files.readString(out));
        }
    }

    private static Path findBin() {
        File[] versions = new File("/usr/lib/postgresql").listFiles();
        if (versions == null) {
            return null;
        }
        return Arrays.stream(versions).map(v -> v.toPath().resolve("bin"))
                .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                .max(Comparator.comparing(b -> versionOf(b.getParent().getFileName().toString()))).orElse(null);
    }

    private static int versionOf(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean userExists(String name) {
        try {
            Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(name);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String primaryGroup(String user) {
        if ("postgres".equals(user)) {
            return "postgres";
        }
        try {
            Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("nogroup");
            return "nogroup";
        } catch (IOException e) {
            return "nobody";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
