package io.ordinaut.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The zero-configuration default: when no database is configured, start an embedded PostgreSQL whose
 * data lives in a local folder (so tasks survive a restart) and point the node at it.
 *
 * <p>This runs in {@code main} before Spring starts, because the DataSource is created from properties.
 */
public final class EmbeddedPostgresLauncher {

    /** Exit status when the embedded database cannot be used. */
    public static final int EXIT_NO_DATABASE = 78;

    private EmbeddedPostgresLauncher() {
    }

    /**
     * Starts the embedded server unless a database is configured by ORDINAUT_DB_URL,
     * SPRING_DATASOURCE_URL or a spring.datasource.url property/argument.
     *
     * @return false when the node must not start (the reason has been printed)
     */
    public static boolean prepare(String[] args) {
        if (databaseConfigured(args)) {
            return true;
        }
        if ("root".equals(System.getProperty("user.name"))) {
            System.err.println("Ordinaut cannot start its embedded PostgreSQL as root because PostgreSQL refuses to run as root: "
                    + "run it as an ordinary user, or point it at a PostgreSQL server with "
                    + "ORDINAUT_DB_URL=jdbc:postgresql://HOST:5432/DB (plus ORDINAUT_DB_USER and ORDINAUT_DB_PASSWORD).");
            return false;
        }
        Path dataDir = Path.of(firstNonBlank(System.getenv("ORDINAUT_DATA_DIR"), "./data/postgres")).toAbsolutePath();
        try {
            Files.createDirectories(dataDir);
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(true)
                    .start();
            System.setProperty("spring.datasource.url", postgres.getJdbcUrl("postgres", "postgres"));
            System.setProperty("spring.datasource.username", "postgres");
            System.setProperty("spring.datasource.password", "");
            System.setProperty("ordinaut.embedded-db.active", "true");
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + dataDir
                    + "; set ORDINAUT_DB_URL to use a PostgreSQL server instead", e);
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
