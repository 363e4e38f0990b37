package io.ordinaut.queue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import io.ordinaut.metrics.OrdinautMetrics;

/**
 * Claims due runs: one statement per batch, whatever the batch size.
 *
 * <p>The statement is a CTE that picks ready rows in queue order with {@code FOR UPDATE SKIP LOCKED}
 * and {@code LIMIT}, then updates exactly the picked rows and returns them — never the
 * {@code UPDATE … WHERE id IN (SELECT … LIMIT n)} form, whose sub-select may be re-evaluated and claim
 * other rows than those it locked. Within the same statement, set-based predicates apply the policies,
 * so the hot path makes no query per run:
 * <ul>
 *   <li><b>Task still wants it.</b> A run whose task was canceled, or a scheduled run (any attempt of
 *       it) whose task was paused or moved to a new schedule or active period since the run was queued,
 *       is recorded {@code canceled} with the reason instead of starting (see {@link #STALE}).</li>
 *   <li><b>Overlap.</b> For a task whose overlap_policy is not {@code allow}, a run may start only while
 *       no other run of the task is running or due before it. With {@code queue} the run waits; with
 *       {@code skip}, a scheduled or event run is recorded as skipped instead (a retry, reclaim or
 *       run_now waits). The unique index due_work_one_running_per_task_uq backs this up against two
 *       nodes claiming at the same instant: the losing claim fails and is retried.</li>
 *   <li><b>Concurrency keys.</b> The key's concurrency_slot row is locked (SKIP LOCKED: a key another
 *       claim holds is simply left for the next round). A locked row always carries the latest committed
 *       count, whatever the statement's snapshot, so no two claims can both fill the last slot. Runs of a
 *       key are ranked and only as many as the key has free slots are taken.</li>
 * </ul>
 *
 * <p>Claims run on a connection of their own, with session settings no other statement should get:
 * <ul>
 *   <li>Bitmap and sequential scans off, and JIT (which these settings would trigger by inflating plan
 *       costs). The only good plan walks due_work_ready_idx in queue order and stops after the batch;
 *       but when the table was last analyzed while empty (a queue often is), the planner believes a
 *       handful of rows are ready and prefers to fetch them all and sort — measured at a quarter of the
 *       throughput under a sudden backlog of 100,000.</li>
 *   <li>A custom plan for every claim. The driver prepares the statement, and after five executions
 *       PostgreSQL may switch to a generic plan, made without knowing the LIMIT, and keep it until the
 *       next ANALYZE of due_work; with a large backlog in the statistics that plan hash-joins the whole
 *       backlog with task and sorts it on every claim (600–750 ms a claim on 100,000 rows). Bursts of
 *       100,000 runs that stalled (23–33 s instead of 7–9 s, both nodes' claims taking 1–3.5 s of CPU
 *       each) match it, and none stalled with this setting. Planning each claim costs about 0.7 ms, a
 *       few µs per run.</li>
 * </ul>
 * Claims commit durably (the session keeps synchronous_commit on): a claim whose runs were handed to
 * workers must survive a database crash, or a run could start twice — once before the crash and once
 * after, when its row comes back unleased.
 *
 * <p>The runs a claim turns away (skipped by overlap, canceled as stale) are counted in
 * ordinaut_runs_total here, as the history rows the statement wrote: beside the claimed rows it returns
 * their count by status and trigger (one row with no run when it claimed none).
 *
 * <p>Time is the database's: due, lease start and lease end come from {@code now()}, so a node whose
 * clock is off neither starts work early nor hands out leases that others see as already expired.
 *
 * <p><b>A lost claim.</b> The lease token is made here, before the statement is sent. When the statement
 * fails in a way that leaves its outcome unknown (the connection dropped: it may have committed after
 * all, and its reply is lost), the token is kept; before the next claim, rows still carrying it are put
 * back — unleased, slots freed, attempt unchanged, nothing recorded — since no worker ever saw them, so
 * they never started. Should that also fail (the node dies first), their leases are never renewed
 * and expire; the reaper then counts the claim as a lost attempt, which for a task with max_retries 0
 * ends the run as failed rather than running it a second time.
 *
 * <p>Used by the claim loop's thread only.
 */
final class Claims implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Claims.class);
    private static final String SESSION =
            "SET enable_bitmapscan = off; SET enable_seqscan = off; SET jit = off; SET plan_cache_mode = force_custom_plan";
    private static final String RESET = "RESET enable_bitmapscan; RESET enable_seqscan; RESET jit; RESET plan_cache_mode";

    /** Another run of the same task that is running, or ready and ahead of this one. */
    private static final String OVERLAPPING = """
            SELECT e.id FROM due_work e
             WHERE e.task_id = d.task_id AND e.id <> d.id
               AND (e.locked_by IS NOT NULL OR (e.run_at <= now() AND (e.run_at, e.id) < (d.run_at, d.id)))""";

    private static final String SKIPPABLE = "(d.overlap_policy = 'skip' AND d.trigger IN ('schedule', 'event'))";

    /**
     * Why a due run must not start after all, or null: its task was canceled since it was queued (any
     * trigger, retries included), or — for a scheduled run — paused, or given a new active period
     * (resumed, rescheduled) that the run's occurrence does not belong to. The task changes drop such
     * runs themselves; this catches one a fire enqueued in a race with the change, and the retry or
     * reclaim of a scheduled run that was running when the change answered, from the claim's own
     * statement (the task is joined by primary key, no extra round trip). A scheduled run is told by its
     * origin, which its retries and reclaims keep (their trigger is retry or reclaim); a row queued before
     * due_work.origin existed (null) by its trigger, and one queued before due_work.active_since existed
     * (null) by the task's status only.
     */
    private static final String STALE = StatusSql.of("""
            CASE WHEN t.status = {task:canceled} THEN 'canceled: the task was canceled'
                 WHEN coalesce(d.origin, d.trigger) <> 'schedule' THEN NULL
                 WHEN t.status = {task:paused} THEN 'canceled: the task was paused'
                 WHEN d.active_since <> t.active_since
                   THEN 'canceled: the occurrence belongs to the task''s earlier schedule or active period'
            END""");

    private static final String CLAIM = StatusSql.of("""
            WITH candidate AS (
                SELECT d.id, d.concurrency_key, d.concurrency_limit, d.queue_order, (%3$s) AS stale,
                       CASE WHEN (%3$s) IS NULL AND %2$s THEN (%1$s LIMIT 1) END AS overlapping
                  FROM due_work d JOIN task t ON t.id = d.task_id
                 WHERE d.locked_by IS NULL AND d.run_at <= now()
                   AND ((%3$s) IS NOT NULL
                        OR ((d.overlap_policy = 'allow' OR %2$s OR NOT EXISTS (%1$s))
                            AND (d.concurrency_key IS NULL OR EXISTS (
                                  SELECT 1 FROM concurrency_slot s
                                   WHERE s.key = d.concurrency_key AND s.running < d.concurrency_limit))))
                 ORDER BY d.queue_order
                 LIMIT :scan
                 FOR UPDATE OF d SKIP LOCKED
            ), slot AS (
                SELECT s.key, s.running FROM concurrency_slot s
                 WHERE s.key IN (SELECT concurrency_key FROM candidate WHERE overlapping IS NULL AND stale IS NULL)
                 ORDER BY s.key
                 FOR UPDATE SKIP LOCKED
            ), ranked AS (
                SELECT c.id, c.concurrency_key, c.concurrency_limit, c.queue_order, s.running,
                       row_number() OVER (PARTITION BY c.concurrency_key ORDER BY c.queue_order, c.id) AS nth
                  FROM candidate c LEFT JOIN slot s ON s.key = c.concurrency_key
                 WHERE c.overlapping IS NULL AND c.stale IS NULL
            ), picked AS (
                SELECT id, concurrency_key FROM ranked
                 WHERE concurrency_key IS NULL OR nth <= concurrency_limit - running
                 ORDER BY queue_order
                 LIMIT :limit
            ), taken AS (
                UPDATE concurrency_slot s SET running = s.running + p.n
                  FROM (SELECT concurrency_key, count(*) AS n FROM picked WHERE concurrency_key IS NOT NULL GROUP BY 1) p
                 WHERE s.key = p.concurrency_key
            ), removed AS (
                DELETE FROM due_work d USING candidate c
                 WHERE d.id = c.id AND (c.overlapping IS NOT NULL OR c.stale IS NOT NULL)
                RETURNING d.id, d.task_id, d.scheduled_for, d.trigger, d.attempt, d.event, c.overlapping, c.stale
            ), removed_record AS (
                INSERT INTO {task_run:not_run}
                SELECT id, id, task_id, scheduled_for, trigger, attempt,
                       CASE WHEN stale IS NOT NULL THEN {run:canceled} ELSE {run:skipped} END, now(),
                       coalesce(stale, 'skipped (overlap_policy skip): run ' || overlapping
                                       || ' of this task was still running or due before it'),
                       event
                  FROM removed
                RETURNING status, trigger
            ), claimed AS (
                UPDATE due_work d
                   SET locked_by = :node, lease_token = :token, started_at = now(),
                       locked_until = now() + make_interval(secs => :leaseSeconds)
                  FROM picked p, task t
                 WHERE d.id = p.id AND t.id = d.task_id
                RETURNING d.id, d.task_id, d.scheduled_for, d.run_at, d.started_at, d.trigger, d.attempt,
                          CAST(d.event AS text) AS event, t.title, t.timezone, CAST(t.payload AS text) AS payload,
                          t.max_retries, t.backoff_strategy, t.run_timeout_seconds, t.created_by
            )
            SELECT c.*, e.ended
              FROM (SELECT %4$s AS ended) e
              LEFT JOIN claimed c ON true
            """).formatted(OVERLAPPING, SKIPPABLE, STALE, EndedRuns.SQL.formatted("removed_record"));

    // The changes the statement makes, checked against the transition table when the class loads.
    static {
        RunStatus.QUEUED.to(RunStatus.RUNNING);
        RunStatus.QUEUED.to(RunStatus.SKIPPED);
        RunStatus.QUEUED.to(RunStatus.CANCELED);
    }

    /**
     * Milliseconds until the earliest unleased run is due, by the database's clock (negative when one is
     * overdue). attempt > 0 (always true) matches the predicate of due_work_due_idx, which the claim cannot use.
     */
    private static final String MILLIS_UNTIL_DUE = """
            SELECT CAST(floor(extract(epoch FROM min(run_at) - now()) * 1000) AS bigint)
              FROM due_work WHERE locked_by IS NULL AND attempt > 0""";

    /** Puts back the runs of a claim whose reply never arrived: no worker saw them, so none started. */
    private static final String RELEASE_LOST = """
            WITH lost AS (
                UPDATE due_work d SET locked_by = NULL, lease_token = NULL, locked_until = NULL, started_at = NULL
                 WHERE d.locked_by = :node AND d.lease_token = :token
                RETURNING d.id, d.concurrency_key
            ), %s
            SELECT count(*) FROM lost
            """.formatted(Completions.freeSlots("lost"));

    private final DataSource dataSource;
    private final OrdinautMetrics metrics;
    private final Deque<UUID> lostTokens = new ArrayDeque<>();
    private Connection connection;
    private JdbcClient jdbc;

    /** Claims whose turned-away runs are not counted (tests). */
    Claims(DataSource dataSource) {
        this(dataSource, OrdinautMetrics.none());
    }

    Claims(DataSource dataSource, OrdinautMetrics metrics) {
        this.dataSource = dataSource;
        this.metrics = metrics;
    }

    /** Leases up to {@code limit} due runs to {@code node}; an empty list when none could be taken. */
    List<ClaimedRun> claim(String node, int limit, Duration lease) {
        releaseLost(node);
        UUID token = UUID.randomUUID();
        // Rows a key's limit turns away still occupy the scan; a margin keeps them from crowding out others.
        int scan = limit + Math.max(10, limit / 4);
        try {
            return claim(node, limit, scan, token, lease);
        } catch (DataIntegrityViolationException | PessimisticLockingFailureException e) {
            // The statement failed and rolled back: nothing of it was committed.
            throw e;
        } catch (RuntimeException | Error e) {
            // The outcome is unknown: it may have committed with its reply lost on the way.
            lostTokens.add(token);
            throw e;
        }
    }

    private List<ClaimedRun> claim(String node, int limit, int scan, UUID token, Duration lease) {
        String[] ended = new String[1];
        List<ClaimedRun> claimed = onConnection(jdbc -> jdbc.sql(CLAIM)
                .param("scan", scan)
                .param("limit", limit)
                .param("node", node)
                .param("token", token)
                .param("leaseSeconds", lease.toSeconds())
                .query((rs, i) -> {
                    ended[0] = rs.getString("ended");
                    return rs.getObject("id", UUID.class) == null ? null : run(rs, token);
                })
                .list());
        countEnded(ended[0]);
        return claimed.stream().filter(Objects::nonNull).toList();
    }

    /** Counts the runs the claim turned away (skipped by overlap, canceled as stale). */
    private void countEnded(String ended) {
        for (EndedRuns e : EndedRuns.parse(ended)) {
            metrics.runsEndedUnstarted(e.status(), e.trigger(), e.count());
        }
    }

    private static ClaimedRun run(ResultSet rs, UUID token) throws SQLException {
        return new ClaimedRun(
                rs.getObject("id", UUID.class),
                token,
                rs.getObject("task_id", UUID.class),
                rs.getTimestamp("scheduled_for").toInstant(),
                rs.getTimestamp("run_at").toInstant(),
                rs.getString("trigger"),
                rs.getInt("attempt"),
                rs.getString("title"),
                rs.getString("timezone"),
                rs.getString("payload"),
                rs.getInt("max_retries"),
                rs.getString("backoff_strategy"),
                (Integer) rs.getObject("run_timeout_seconds"),
                rs.getString("event"),
                rs.getObject("created_by", UUID.class),
                rs.getTimestamp("started_at").toInstant());
    }

    /**
     * How long until the earliest unleased run is due (zero or negative: one is due now), by the
     * database's clock; empty when the queue holds none. How long the claim loop may sleep.
     */
    Optional<Duration> untilEarliestDue() {
        return onConnection(jdbc -> jdbc.sql(MILLIS_UNTIL_DUE).query(Long.class).optional().map(Duration::ofMillis));
    }

    /**
     * Puts back the runs of claims whose outcome was unknown, before this node claims again. Rare: only
     * after a claim failed with a broken connection.
     */
    private void releaseLost(String node) {
        while (!lostTokens.isEmpty()) {
            UUID token = lostTokens.peek();
            long released = onConnection(jdbc -> jdbc.sql(RELEASE_LOST).param("node", node).param("token", token)
                    .query(Long.class).single());
            lostTokens.remove();
            if (released > 0) {
                log.warn("A claim of {} runs committed but its reply was lost (lease token {}); they were put back in the queue",
                        released, token);
            }
        }
    }

    /** Hands the connection back to the pool with its settings reset. */
    @Override
    public void close() {
        if (connection == null) {
            return;
        }
        try (Connection c = connection; Statement st = c.createStatement()) {
            st.execute(RESET);
        } catch (SQLException e) {
            log.debug("Closing the claim connection: {}", e.getMessage());
        }
        connection = null;
        jdbc = null;
    }

    private <T> T onConnection(java.util.function.Function<JdbcClient, T> work) {
        if (jdbc == null) {
            open();
        }
        try {
            return work.apply(jdbc);
        } catch (DataIntegrityViolationException | PessimisticLockingFailureException e) {
            // A lost race with another node's claim: the statement failed, the connection is fine.
            throw e;
        } catch (RuntimeException | Error e) {
            // The connection may be broken; take a fresh one for the next claim.
            close();
            throw e;
        }
    }

    private void open() {
        Connection c = null;
        try {
            c = dataSource.getConnection();
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.execute(SESSION);
            }
            connection = c;
            jdbc = JdbcClient.create(new SingleConnectionDataSource(c, true));
        } catch (SQLException e) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // already failing
                }
            }
            throw new DataAccessResourceFailureException("Could not open the claim connection: " + e.getMessage(), e);
        }
    }
}
