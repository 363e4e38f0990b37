package io.ordinaut.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What every scenario of the harness shares: its sizes (full or quick), fresh databases on the local
 * PostgreSQL, node settings, progress lines and the statistics of rounds. Not a test.
 */
final class Bench {

    static final boolean QUICK = Boolean.getBoolean("bench.quick");
    static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    static final String HOST = System.getProperty("bench.db.host", "127.0.0.1");
    static final String PORT = System.getProperty("bench.db.port", "5432");
    static final String USER = System.getProperty("bench.db.user", "postgres");
    static final String PASSWORD = System.getProperty("bench.db.password", "");
    /** The one database the harness drops and creates for each system and round; no other database is touched. */
    static final String DATABASE = System.getProperty("bench.db.name", "ordinaut_bench_harness");
    private static final long STARTED = System.nanoTime();

    private Bench() {
    }

    /** A size: the full one, or the quick one with -Dbench.quick=true; -Dbench.NAME overrides both. */
    static int size(String name, int full, int quick) {
        return Integer.getInteger("bench." + name, QUICK ? quick : full);
    }

    static void progress(String format, Object... args) {
        long s = (System.nanoTime() - STARTED) / 1_000_000_000L;
        System.out.printf(Locale.ROOT, "[%02d:%02d] %s%n", s / 60, s % 60, String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    /** Drops and creates the harness database; returns its JDBC URL. */
    static String freshDatabase() {
        String base = "jdbc:postgresql://" + HOST + ":" + PORT + "/";
        try (Connection c = DriverManager.getConnection(base + "postgres", USER, PASSWORD); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + DATABASE + ": " + e.getMessage(), e);
        }
        return base + DATABASE;
    }

    /** Settings of every benchmark node: quiet logs, the pool the queue benchmark always used. */
    static Map<String, Object> nodeProperties(String id, Map<String, Object> extra) {
        Map<String, Object> p = new HashMap<>();
        p.put("ordinaut.node.id", id);
        p.put("spring.datasource.hikari.maximum-pool-size", 20);
        p.put("logging.level.io.ordinaut", "WARN");
        p.put("logging.level.root", "WARN");
        // The load generator is one agent (the admin); rate limits are not what is measured.
        p.put("ordinaut.security.burst-per-second", 1_000_000);
        p.putAll(extra);
        return p;
    }

    static void sleepUntil(Instant at) throws InterruptedException {
        long millis = Duration.between(Instant.now(), at).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    /** Start lag (started_at − scheduled_for, ms) percentiles of the runs selected by {@code where}. */
    static Map<String, Object> lag(JdbcClient jdbc, String where, Map<String, ?> params) {
        JdbcClient.StatementSpec spec = jdbc.sql("""
                SELECT count(*) AS runs, count(DISTINCT (task_id, scheduled_for)) AS distinct_runs,
                       round(CAST(percentile_cont(0.5) WITHIN GROUP (ORDER BY lag) AS numeric), 1) AS p50,
                       round(CAST(percentile_cont(0.99) WITHIN GROUP (ORDER BY lag) AS numeric), 1) AS p99,
                       round(CAST(max(lag) AS numeric), 1) AS max
                  FROM (SELECT task_id, scheduled_for, extract(epoch FROM started_at - scheduled_for) * 1000 AS lag
                          FROM task_run WHERE %s) x""".formatted(where));
        for (Map.Entry<String, ?> e : params.entrySet()) {
            spec = spec.param(e.getKey(), e.getValue() instanceof Instant i ? Timestamp.from(i) : e.getValue());
        }
        return spec.query().singleRow();
    }

    static double number(Object o) {
        return o == null ? Double.NaN : ((Number) o).doubleValue();
    }

    /** The figures of one quantity over the rounds: reported as median (min–max). */
    static final class Rounds {
        private final List<Double> values = new ArrayList<>();

        void add(double v) {
            values.add(v);
        }

        double median() {
            if (values.isEmpty()) {
                return Double.NaN;
            }
            List<Double> sorted = new ArrayList<>(values);
            Collections.sort(sorted);
            int n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }

        double min() {
            return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }

        double max() {
            return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }

        /** {@code median (min–max)} with the given number format, e.g. "%,.0f". */
        String format(String number) {
            if (values.isEmpty()) {
                return "–";
            }
            return String.format(Locale.ROOT, number + " (" + number + "–" + number + ")", median(), min(), max());
        }
    }

    /** Percentile of sorted values (nearest rank). */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
