package io.ordinaut.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.event.SpringApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.MapPropertySource;

/**
 * The zero-configuration default: when no database is configured, start an embedded PostgreSQL whose
 * data lives in a local folder (so tasks survive a restart) and point the node at it.
 *
 * <p>It starts when Spring has prepared the environment — after logging is set up, before any bean
 * exists, since the DataSource is created from properties — and it stops last, as an action of Spring
 * Boot's own shutdown hook, which runs its actions after the application context is closed: the executor
 * has drained, the heartbeat has written {@code stopped}, Quartz and the web server have stopped and the
 * connection pool is closed. The embedded library's own JVM shutdown hook is not registered: it would
 * stop PostgreSQL at the same moment the context starts closing, and the drain would wait on dead
 * connections.
 *
 * <p>PostgreSQL's own output (its server log) goes to a file beside the data folder, not to the node's
 * log: it holds lines such as {@code ERROR: relation "databasechangeloglock" does not exist} that are a
 * normal part of Liquibase's first start.
 */
public final class EmbeddedPostgresLauncher implements ApplicationListener<SpringApplicationEvent>, Ordered {

    /** Exit status when the embedded database cannot be used. */
    public static final int EXIT_NO_DATABASE = 78;

    /** Set (as a system property) while the node runs on the embedded database. */
    public static final String ACTIVE = "ordinaut.embedded-db.active";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresLauncher.class);

    private final Path dataDir;
    private final Runnable stopAction = this::stop;
    private EmbeddedPostgres postgres;

    private EmbeddedPostgresLauncher(Path dataDir) {
        this.dataDir = dataDir;
    }

    /**
     * Arranges for the embedded server to start with the application unless a database is configured
     * by ORDINAUT_DB_URL, SPRING_DATASOURCE_URL or a spring.datasource.url property/argument.
     *
     * @return false when the node must not start (the reason has been printed)
     */
    public static boolean install(SpringApplication application, String[] args) {
        if (databaseConfigured(args)) {
            return true;
        }
        if ("root".equals(System.getProperty("user.name"))) {
            System.err.println("Ordinaut cannot start its embedded PostgreSQL as root because PostgreSQL refuses to run as root: "
                    + "run it as an ordinary user, or point it at a PostgreSQL server with "
                    + "ORDINAUT_DB_URL=jdbc:postgresql://HOST:5432/DB (plus ORDINAUT_DB_USER and ORDINAUT_DB_PASSWORD).");
            return false;
        }
        Path dataDir = Path.of(firstNonBlank(System.getenv("ORDINAUT_DATA_DIR"), "./data/postgres")).toAbsolutePath().normalize();
        application.addListeners(new EmbeddedPostgresLauncher(dataDir));
        return true;
    }

    /** After LoggingApplicationListener (HIGHEST_PRECEDENCE + 20), so the embedded library logs through our config. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void onApplicationEvent(SpringApplicationEvent event) {
        if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
            start(prepared);
        } else if (event instanceof ApplicationPreparedEvent && postgres != null) {
            // Shutdown actions run last-added first: moved behind the logging system's own action (added
            // at this event), so the embedded server stops before logging does and its last line is seen.
            SpringApplication.getShutdownHandlers().remove(stopAction);
            SpringApplication.getShutdownHandlers().add(stopAction);
        }
    }

    private synchronized void start(ApplicationEnvironmentPreparedEvent event) {
        if (postgres != null) {
            return;
        }
        Path serverLog = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        try {
            Files.createDirectories(dataDir);
            ProcessBuilder.Redirect toFile = ProcessBuilder.Redirect.appendTo(serverLog.toFile());
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setOutputRedirector(toFile)
                    .setErrorRedirector(toFile)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + dataDir + " (its log: " + serverLog
                    + "); set ORDINAUT_DB_URL to use a PostgreSQL server instead", e);
        }
        // Runs after the context closes; registered at once so that a start failing later still stops the server.
        SpringApplication.getShutdownHandlers().add(stopAction);
        event.getEnvironment().getPropertySources().addFirst(new MapPropertySource("ordinaut-embedded-db", Map.of(
                "spring.datasource.url", postgres.getJdbcUrl("postgres", "postgres"),
                "spring.datasource.username", "postgres",
                "spring.datasource.password", "")));
        System.setProperty(ACTIVE, "true");
        log.info("Embedded PostgreSQL started on port {} with data in {} (its log: {})", postgres.getPort(), dataDir, serverLog);
    }

    private synchronized void stop() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
            log.info("Embedded PostgreSQL stopped");
        } catch (IOException | RuntimeException e) {
            log.warn("Could not stop the embedded PostgreSQL cleanly: {}", e.getMessage());
        } finally {
            postgres = null;
        }
    }

    static boolean databaseConfigured(String[] args) {
        return !isBlank(System.getenv("ORDINAUT_DB_URL"))
                || !isBlank(System.getenv("SPRING_DATASOURCE_URL"))
                || !isBlank(System.getProperty("spring.datasource.url"))
                || Arrays.stream(args).anyMatch(a -> a.startsWith("--spring.datasource.url=") && a.length() > 24);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static String firstNonBlank(String a, String b) {
        return isBlank(a) ? b : a;
    }
}
