package io.ordinaut.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Every benchmark scenario in one run (issue 15), against the local PostgreSQL: prints a table per
 * scenario and rewrites the results section of docs/benchmarks.md (between its harness markers) with
 * the figures, the machine and the date. Not a test: run it with {@code mvn -B -Pbench verify}
 * ({@code -Dbench.quick=true} for the small version). See docs/benchmarks.md.
 *
 * <p>System properties: bench.quick (false), bench.scenarios ("1,2,3,4,5"), bench.rounds (3), bench.out
 * (docs/benchmarks.md; "none" to leave it), bench.note (a line printed under the machine, e.g. "loaded
 * machine"), the sizes of each scenario (bench.drain.runs, bench.precision.tasks, bench.burst.tasks,
 * bench.scale.tasks, …) and bench.db.host/port/user/password.
 */
public final class BenchmarkHarness {

    static final String START = "<!-- harness-results:start -->";
    static final String END = "<!-- harness-results:end -->";

    private BenchmarkHarness() {
    }

    public static void main(String[] args) throws Exception {
        List<String> chosen = List.of(System.getProperty("bench.scenarios", "1,2,3,4,5").split(","));
        Map<String, Callable<String>> scenarios = new LinkedHashMap<>();
        scenarios.put("1", () -> new DrainScenario().run());
        scenarios.put("2", () -> new ApiScenario().run());
        scenarios.put("3", () -> new PrecisionScenario().run());
        scenarios.put("4", () -> new BurstScenario().run());
        scenarios.put("5", () -> new ScaleScenario().run());
        Instant started = Instant.now();
        Bench.progress("benchmark harness: %s run, scenarios %s, %d rounds each", Bench.QUICK ? "quick" : "full", chosen, Bench.ROUNDS);
        List<String> sections = new ArrayList<>();
        int failed = 0;
        for (Map.Entry<String, Callable<String>> scenario : scenarios.entrySet()) {
            if (!chosen.contains(scenario.getKey())) {
                continue;
            }
            Bench.progress("scenario %s: start", scenario.getKey());
            try {
                String section = scenario.getValue().call();
                sections.add(section);
                System.out.println();
                System.out.println(section);
            } catch (Exception | AssertionError e) {
                failed++;
                Bench.progress("scenario %s failed: %s", scenario.getKey(), e);
                e.printStackTrace();
                sections.add("### Scenario " + scenario.getKey() + "\n\nFailed in this run: " + e.getMessage() + "\n");
            }
        }
        long minutes = ChronoUnit.SECONDS.between(started, Instant.now());
        String report = header(minutes) + String.join("\n", sections);
        String out = System.getProperty("bench.out", "docs/benchmarks.md");
        if (!"none".equals(out)) {
            rewrite(Path.of(out), report);
            Bench.progress("results written to %s", Path.of(out).toAbsolutePath());
        }
        Bench.progress("done in %d min %d s%s", minutes / 60, minutes % 60, failed > 0 ? ", " + failed + " scenario(s) failed" : "");
        System.exit(failed > 0 ? 1 : 0);
    }

    private static String header(long seconds) throws Exception {
        String postgres;
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + Bench.HOST + ":" + Bench.PORT + "/postgres", Bench.USER,
                Bench.PASSWORD); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            postgres = rs.getString(1);
        }
        long memoryKb = 0;
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                memoryKb = Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        String note = System.getProperty("bench.note", "").isBlank() ? null : System.getProperty("bench.note");
        return String.format("## Harness results%n%n%s run of %s, %d min %d s. Machine: %d cores, %.1f GiB memory, PostgreSQL %s, "
                + "JDK %s (%s), %s.%s%n%n", Bench.QUICK ? "**Quick** (small sizes)" : "Full", Instant.now().truncatedTo(ChronoUnit.SECONDS),
                seconds / 60, seconds % 60, Runtime.getRuntime().availableProcessors(), memoryKb / 1024.0 / 1024.0, postgres,
                System.getProperty("java.version"), System.getProperty("java.vm.vendor"), System.getProperty("os.name") + " "
                        + System.getProperty("os.arch"), note == null ? "" : " " + note);
    }

    /** Replaces what lies between the harness markers (or appends the markers and the report). */
    static void rewrite(Path out, String report) throws Exception {
        String doc = Files.exists(out) ? Files.readString(out) : "# Benchmarks\n\n";
        String block = START + "\n" + report.strip() + "\n" + END;
        int start = doc.indexOf(START);
        int end = doc.indexOf(END);
        if (start >= 0 && end > start) {
            doc = doc.substring(0, start) + block + doc.substring(end + END.length());
        } else {
            doc = doc + (doc.endsWith("\n") ? "\n" : "\n\n") + block + "\n";
        }
        Files.writeString(out, doc);
    }
}
