package io.ordinaut.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A fresh PostgreSQL database per test class, on the server named by ORDINAUT_TEST_DB_HOST /
 * ORDINAUT_TEST_DB_PORT / ORDINAUT_TEST_DB_USER / ORDINAUT_TEST_DB_PASSWORD (default
 * 127.0.0.1:5432, postgres). Where no server answers and Docker does, a Testcontainers PostgreSQL is used.
 */
public final class TestDatabases {

    private static final String PREFIX = "ordinaut_t_";
    private static Server server;

    private TestDatabases() {
    }

    /** Creates an empty database and returns its JDBC URL. */
    public static synchronized String create() {
        Server s = server();
        // The creation time in the name lets a later run drop only databases abandoned long ago.
        String name = PREFIX + (System.currentTimeMillis() / 1000) + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        try (Connection c = DriverManager.getConnection(s.adminUrl(), s.user(), s.password());
             Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create test database " + name + " on " + s.adminUrl(), e);
        }
        return s.baseUrl() + name;
    }

    public static String user() {
        return server().user();
    }

    public static String password() {
        return server().password();
    }

    private static synchronized Server server() {
        if (server == null) {
            server = connectOrStart();
            dropLeftovers(server);
        }
        return server;
    }

    private static Server connectOrStart() {
        String host = env("ORDINAUT_TEST_DB_HOST", "127.0.0.1");
        String port = env("ORDINAUT_TEST_DB_PORT", "5432");
        String user = env("ORDINAUT_TEST_DB_USER", "postgres");
        String password = env("ORDINAUT_TEST_DB_PASSWORD", "");
        String base = "jdbc:postgresql://" + host + ":" + port + "/";
        try (Connection ignored = DriverManager.getConnection(base + "postgres", user, password)) {
            return new Server(base, user, password);
        } catch (SQLException unreachable) {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:16-alpine");
            try {
                container.start();
            } catch (RuntimeException noDocker) {
                throw new IllegalStateException("No PostgreSQL at " + host + ":" + port + " (" + unreachable.getMessage()
                        + ") and no Docker for Testcontainers; start PostgreSQL or set ORDINAUT_TEST_DB_HOST/PORT", noDocker);
            }
            String url = container.getJdbcUrl();
            return new Server(url.substring(0, url.lastIndexOf('/') + 1), container.getUsername(), container.getPassword());
        }
    }

    // Databases that earlier runs left behind (a killed JVM) are dropped once per JVM — only those over
    // two hours old, so test JVMs running side by side never lose each other's databases.
    private static void dropLeftovers(Server s) {
        try (Connection c = DriverManager.getConnection(s.adminUrl(), s.user(), s.password());
             Statement st = c.createStatement()) {
            List<String> names = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE '" + PREFIX + "%'")) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            long cutoff = System.currentTimeMillis() / 1000 - 7200;
            for (String name : names) {
                String[] parts = name.substring(PREFIX.length()).split("_");
                boolean stale;
                try {
                    stale = Long.parseLong(parts[0]) < cutoff;
                } catch (NumberFormatException oldStyleName) {
                    stale = true;
                }
                if (stale) {
                    st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
                }
            }
        } catch (SQLException e) {
            System.err.println("Could not drop leftover test databases: " + e.getMessage());
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private record Server(String baseUrl, String user, String password) {
        String adminUrl() {
            return baseUrl + "postgres";
        }
    }
}
