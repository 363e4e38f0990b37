package io.ordinaut.queue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Component;

/**
 * Vacuums and analyzes Ordinaut's tables when the PostgreSQL server's autovacuum is off, with autovacuum's
 * default thresholds, every {@link #INTERVAL_MS}, on one node at a time (a session advisory lock).
 *
 * <p>Why: the run queue rewrites or deletes every row it holds, so without vacuum its dead rows pile up
 * and every claim walks them; and a table never analyzed keeps the planner's guess for an empty table, so a
 * prepared statement can settle on a generic plan that scans an index by the wrong column — measured on
 * such a server: the late-join enqueue of a shared schedule chose task_status_idx over the primary key and
 * cost 7.5 ms per task created instead of 0.2 ms, growing with the schedule's tasks. Nothing here runs when
 * autovacuum is on (the default): PostgreSQL then does this itself.
 */
@Component
class AutovacuumStandIn extends PeriodicDuty {

    private static final Logger log = LoggerFactory.getLogger(AutovacuumStandIn.class);
    /** Autovacuum's own nap between rounds is a minute; a queue draining thousands of runs a second needs less. */
    static final long INTERVAL_MS = 30_000;
    private static final String LOCK = "SELECT pg_try_advisory_lock(hashtextextended('ordinaut:autovacuum_stand_in', 0))";
    private static final String UNLOCK = "SELECT pg_advisory_unlock(hashtextextended('ordinaut:autovacuum_stand_in', 0))";

    /** autovacuum_vacuum_threshold/scale_factor and autovacuum_analyze_threshold/scale_factor at their defaults. */
    private static final String DUE = """
            SELECT format('%I.%I', schemaname, relname),
                   n_dead_tup > 50 + 0.2 * greatest(n_live_tup, 0) AS vacuum,
                   n_mod_since_analyze > 50 + 0.1 * greatest(n_live_tup, 0) AS analyze
              FROM pg_stat_user_tables
             WHERE schemaname = current_schema()
               AND (n_dead_tup > 50 + 0.2 * greatest(n_live_tup, 0) OR n_mod_since_analyze > 50 + 0.1 * greatest(n_live_tup, 0))
             ORDER BY relname
            """;

    private final DataSource dataSource;
    private boolean warned;

    AutovacuumStandIn(DataSource dataSource) {
        super("ordinaut-autovacuum-stand-in", INTERVAL_MS);
        this.dataSource = dataSource;
    }

    @Override
    protected void round() {
        upkeep(false);
    }

    /**
     * One round: when autovacuum is off (or {@code evenIfAutovacuumRuns}), vacuums the tables whose dead rows
     * and analyzes those whose changes passed autovacuum's thresholds. Returns the tables it processed; none
     * when another node holds the round or autovacuum runs.
     */
    List<String> upkeep(boolean evenIfAutovacuumRuns) {
        List<String> done = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            if (!evenIfAutovacuumRuns && autovacuumOn(st)) {
                return done;
            }
            if (!evenIfAutovacuumRuns && !warned) {
                warned = true;
                log.warn("PostgreSQL's autovacuum is off: this node vacuums and analyzes Ordinaut's tables itself every {} s."
                        + " Turn autovacuum on (the default) to leave that to PostgreSQL.", INTERVAL_MS / 1000);
            }
            if (!lock(st)) {
                return done;
            }
            try {
                List<String[]> due = new ArrayList<>();
                try (ResultSet rs = st.executeQuery(DUE)) {
                    while (rs.next()) {
                        due.add(new String[] {rs.getString(1), rs.getBoolean(2) ? "VACUUM (ANALYZE) " : "ANALYZE "});
                    }
                }
                for (String[] table : due) {
                    st.execute(table[1] + table[0]);
                    done.add(table[0]);
                }
            } finally {
                st.execute(UNLOCK);
            }
            log.debug("Vacuumed or analyzed {}", done);
            return done;
        } catch (SQLException e) {
            throw new DataAccessResourceFailureException("Could not vacuum or analyze Ordinaut's tables (done so far: " + done + "): "
                    + e.getMessage(), e);
        }
    }

    private static boolean autovacuumOn(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT current_setting('autovacuum') = 'on'")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static boolean lock(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery(LOCK)) {
            return rs.next() && rs.getBoolean(1);
        }
    }
}
