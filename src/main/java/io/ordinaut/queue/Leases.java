package io.ordinaut.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;

import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps and recovers leases: renewal for running work and for ended runs whose results are not yet
 * written (one statement for all of a node's runs), and reclaiming runs whose lease expired because
 * their node died or stalled. Expiry is decided by the database's clock alone ({@code now()}): a node's
 * own clock never sets or judges a lease.
 */
final class Leases {

    /**
     * Extends the leases this node holds, and writes the progress of runs whose progress changed; says
     * which runs someone asked to cancel. Rows are locked in id order, as the batched finish locks them
     * (it may be writing some of the same runs at that moment), so the two never deadlock.
     */
    private static final String RENEW = """
            WITH held AS MATERIALIZED (
                SELECT d.id, r.progress FROM due_work d
                  JOIN json_to_recordset(CAST(:batch AS json)) AS r(id uuid, lease_token uuid, progress jsonb)
                    ON d.id = r.id AND d.lease_token = r.lease_token
                 ORDER BY d.id
                   FOR UPDATE OF d
            )
            UPDATE due_work d SET locked_until = now() + make_interval(secs => :leaseSeconds),
                                  progress = coalesce(h.progress, d.progress)
              FROM held h
             WHERE d.id = h.id
            RETURNING d.id, d.cancel_requested
            """;

    /**
     * Takes back runs whose lease expired. The lost attempt counts — it may well have run, or be running
     * still on a node cut off from the database — and is recorded as failed (lease_owner names the silent
     * node); the run is re-queued as attempt + 1 with trigger {@code reclaim} (its origin kept: a scheduled
     * run's reclaim is not claimed once its task is paused or rescheduled) — or, when the lost attempt
     * was its last allowed one, ended as dead (failed when max_retries is 0): a run that keeps killing its
     * node must not loop forever, and with max_retries 0 a run is never executed twice. A run whose cancel
     * was requested ends as canceled. The record keeps the progress the lost node last wrote with its lease
     * (output and trace of the steps that ended, and the step it was in), as of up to a renewal interval
     * before the node was lost. The re-queued ones are counted as the runs requeued returned, not by their
     * history's status: a run ended for good because its task allows no retries is failed too.
     */
    private static final String RECLAIM = StatusSql.of("""
            WITH expired AS (
                SELECT d.id, d.task_id, d.scheduled_for, d.trigger, d.attempt, d.locked_by, d.started_at,
                       d.cancel_requested, d.concurrency_key, d.event, d.progress, t.max_retries
                  FROM due_work d JOIN task t ON t.id = d.task_id
                 WHERE d.locked_by IS NOT NULL AND d.locked_until < now()
                 ORDER BY d.locked_until
                 LIMIT :limit
                 FOR UPDATE OF d SKIP LOCKED
            ), requeued AS (
                UPDATE due_work d
                   SET locked_by = NULL, lease_token = NULL, locked_until = NULL, started_at = NULL, progress = NULL,
                       attempt = d.attempt + 1, trigger = 'reclaim', created_at = now()
                  FROM expired e
                 WHERE d.id = e.id AND NOT e.cancel_requested AND e.attempt <= e.max_retries
                RETURNING d.id
            ), ended AS (
                DELETE FROM due_work d USING expired e
                 WHERE d.id = e.id AND (e.cancel_requested OR e.attempt > e.max_retries)
                RETURNING d.id
            ), %s, recorded AS (
                INSERT INTO {task_run:attempt}
                SELECT CASE WHEN q.id IS NULL THEN e.id ELSE gen_random_uuid() END, e.id, e.task_id, e.scheduled_for,
                       e.trigger, e.attempt,
                       CASE WHEN q.id IS NOT NULL THEN {run:failed} WHEN e.cancel_requested THEN {run:canceled}
                            WHEN e.max_retries > 0 THEN {run:dead} ELSE {run:failed} END,
                       false, e.locked_by, e.started_at, now(),
                       'lease expired; the node running it was lost (' || e.locked_by || ' stopped renewing its lease)'
                         || coalesce('; last seen in ' || (e.progress ->> 'at'), '')
                         || CASE WHEN q.id IS NOT NULL THEN '; reclaimed as attempt ' || (e.attempt + 1)
                                 WHEN e.cancel_requested THEN '; canceled as requested'
                                 ELSE '; no retries left' END,
                       e.progress -> 'output', e.event
                  FROM expired e LEFT JOIN requeued q ON q.id = e.id
                 WHERE q.id IS NOT NULL OR e.id IN (SELECT id FROM ended)
                RETURNING run_id, status, trigger
            )
            SELECT count(*) FILTER (WHERE run_id IN (SELECT id FROM requeued)) AS reclaimed, count(*) AS recovered,
                   %s AS ended
              FROM recorded
            """).formatted(Completions.freeSlots("expired"), EndedRuns.SQL.formatted("recorded"));

    static {
        RunStatus.RUNNING.to(RunStatus.QUEUED);
        RunStatus.RUNNING.to(RunStatus.DEAD);
        RunStatus.RUNNING.to(RunStatus.CANCELED);
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;

    Leases(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * Renews {@code leases} for another {@code lease} from the database's now.
     *
     * @return for each run still held, whether its cancel was requested; runs missing from the map lost
     *         their lease (it expired and another node reclaimed the run)
     */
    Map<UUID, Boolean> renew(Collection<Lease> leases, Duration lease) {
        if (leases.isEmpty()) {
            return Map.of();
        }
        List<Map<String, Object>> rows = new ArrayList<>(leases.size());
        for (Lease l : leases) {
            Map<String, Object> row = new HashMap<>(4);
            row.put("id", l.runId());
            row.put("lease_token", l.token());
            if (l.progress() != null) {
                row.put("progress", l.progress());
            }
            rows.add(row);
        }
        Map<UUID, Boolean> held = new HashMap<>();
        jdbc.sql(RENEW)
                .param("leaseSeconds", lease.toSeconds())
                .param("batch", json.writeValueAsString(rows))
                .query((rs, i) -> held.put(rs.getObject("id", UUID.class), rs.getBoolean("cancel_requested")))
                .list();
        return held;
    }

    /** A trivial statement: is the database there? */
    void probe() {
        jdbc.sql("SELECT 1").query(Integer.class).single();
    }

    /** Reclaims up to {@code limit} runs whose lease expired by the database's clock. */
    Reclaimed reclaimExpired(int limit) {
        Map<String, Object> row = jdbc.sql(RECLAIM)
                .param("limit", limit)
                .query().singleRow();
        return new Reclaimed(((Number) row.get("reclaimed")).intValue(), ((Number) row.get("recovered")).intValue(),
                EndedRuns.parse((String) row.get("ended")));
    }

    /**
     * A lease this node holds: the run and the token its claim handed out.
     *
     * @param progress the run's progress to write with the renewal, or null to leave it as written
     */
    record Lease(UUID runId, UUID token, Map<String, Object> progress) {

        Lease(UUID runId, UUID token) {
            this(runId, token, null);
        }
    }

    /**
     * @param requeued runs given another attempt
     * @param total    runs taken back (re-queued or ended)
     * @param recorded the lost attempts recorded, by status and trigger
     */
    record Reclaimed(int requeued, int total, List<EndedRuns> recorded) {
    }
}
