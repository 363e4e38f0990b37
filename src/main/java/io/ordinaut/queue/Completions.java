package io.ordinaut.queue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;

import tools.jackson.databind.json.JsonMapper;

/**
 * Writes the ends of attempts, many per statement. Every write is fenced by the lease token the claim
 * handed out: a node whose lease expired (and whose run was reclaimed and perhaps finished elsewhere)
 * matches no row, so its late result is dropped instead of overwriting the other node's.
 */
final class Completions {

    /**
     * Ends a batch of attempts in one statement: deletes the queue rows of runs that are over, re-queues
     * those to be retried (attempt + 1, trigger retry — origin kept, so a scheduled run's retry is still
     * scheduled for a pause or schedule change — run_at the backoff after the database's now), frees their
     * concurrency slots (locked in key order, so two batches cannot deadlock on them) and writes one
     * task_run row per attempt — only for rows this lease still holds. The batch is read as {@code json}, not
     * {@code jsonb}: it is read once, and json_to_recordset takes the fields in one pass over the text where the
     * jsonb cast first builds the whole document (3–4× the CPU for a batch of 258 finished runs).
     */
    private static final String FINISH = StatusSql.of("""
            WITH f AS (
                SELECT * FROM json_to_recordset(CAST(:batch AS json)) AS f(
                    id uuid, lease_token uuid, record_id uuid, task_id uuid, scheduled_for timestamptz, trigger text,
                    attempt int, status text, success boolean, started_at timestamptz, finished_at timestamptz,
                    error text, output jsonb, retry_in_ms bigint)
            ), held AS MATERIALIZED (
                -- The rows are locked first, in id order: lease renewal locks the rows it renews in the same
                -- order (finished runs stay leased until written), so the two never deadlock. Deleting and
                -- re-queueing go by held alone: a locked row cannot change, and joining the batch again with a
                -- semi-join on held was planned as a nested loop over held (estimated one row), quadratic in
                -- the batch — half the statement's time at 370 runs.
                SELECT d.id, f.retry_in_ms FROM due_work d JOIN f ON d.id = f.id AND d.lease_token = f.lease_token
                 ORDER BY d.id
                   FOR UPDATE OF d
            ), ended AS (
                DELETE FROM due_work d USING held h
                 WHERE d.id = h.id AND h.retry_in_ms IS NULL
                RETURNING d.id, d.concurrency_key, d.event
            ), retried AS (
                UPDATE due_work d
                   SET locked_by = NULL, lease_token = NULL, locked_until = NULL, started_at = NULL, progress = NULL,
                       attempt = d.attempt + 1, trigger = 'retry',
                       run_at = now() + make_interval(secs => h.retry_in_ms / 1000.0),
                       queue_order = now() + make_interval(secs => h.retry_in_ms / 1000.0 + (d.priority - 1) * :aging),
                       created_at = now()
                  FROM held h
                 WHERE d.id = h.id AND h.retry_in_ms IS NOT NULL
                RETURNING d.id, d.concurrency_key, d.event
            ), done AS (
                SELECT * FROM ended UNION ALL SELECT * FROM retried
            ), %s
            INSERT INTO {task_run:attempt}
            SELECT f.record_id, f.id, f.task_id, f.scheduled_for, f.trigger, f.attempt, f.status, f.success, :node,
                   f.started_at, f.finished_at, f.error, f.output, done.event
              FROM f JOIN done ON done.id = f.id
            """).formatted(freeSlots("done"));

    /**
     * Hands back, at shutdown, runs this node claimed but never started: they are unleased as they were
     * queued — same attempt, nothing recorded, since nothing happened — for another node to take at once.
     * A run whose cancel was requested ends as canceled instead. (Runs that did start are never handed
     * back: they end as a failed attempt, see ExecutorPool#stop.)
     */
    private static final String RELEASE = StatusSql.of("""
            WITH r AS (
                SELECT * FROM json_to_recordset(CAST(:batch AS json)) AS r(
                    id uuid, lease_token uuid, task_id uuid, scheduled_for timestamptz, trigger text, attempt int)
            ), released AS (
                UPDATE due_work d SET locked_by = NULL, lease_token = NULL, locked_until = NULL, started_at = NULL
                  FROM r
                 WHERE d.id = r.id AND d.lease_token = r.lease_token AND NOT d.cancel_requested
                RETURNING d.id, d.concurrency_key
            ), canceled AS (
                DELETE FROM due_work d USING r
                 WHERE d.id = r.id AND d.lease_token = r.lease_token AND d.cancel_requested
                RETURNING d.id, d.concurrency_key, d.event
            ), done AS (
                SELECT id, concurrency_key FROM released UNION ALL SELECT id, concurrency_key FROM canceled
            ), %s, recorded AS (
                INSERT INTO {task_run:attempt}
                SELECT r.id, r.id, r.task_id, r.scheduled_for, r.trigger, r.attempt, {run:canceled}, false, :node, NULL, now(),
                       'canceled as requested while node ' || :node || ' shut down', NULL, c.event
                  FROM r JOIN canceled c ON c.id = r.id
            )
            SELECT count(*) FROM done
            """).formatted(freeSlots("done"));

    static {
        RunStatus.RUNNING.to(RunStatus.QUEUED);
        RunStatus.RUNNING.to(RunStatus.CANCELED);
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final long agingSeconds;

    Completions(JdbcClient jdbc, JsonMapper json, long agingSeconds) {
        this.jdbc = jdbc;
        this.json = json;
        this.agingSeconds = agingSeconds;
    }

    /**
     * The CTEs that give back the concurrency slots of the runs in {@code source} (rows with a
     * concurrency_key column). Locking the slot rows in key order first keeps concurrent writers from
     * deadlocking on them.
     */
    static String freeSlots(String source) {
        return """
                freed AS (
                    SELECT concurrency_key AS key, count(*) AS n FROM %s WHERE concurrency_key IS NOT NULL GROUP BY 1
                ), slot_lock AS (
                    SELECT s.key FROM concurrency_slot s WHERE s.key IN (SELECT key FROM freed) ORDER BY s.key FOR UPDATE
                ), slot_free AS (
                    UPDATE concurrency_slot s SET running = greatest(0, s.running - freed.n)
                      FROM freed JOIN slot_lock USING (key)
                     WHERE s.key = freed.key
                )""".formatted(source);
    }

    /** Records the outcomes; returns how many this node still held (the others lost their lease). */
    int finish(String node, List<Outcome> outcomes) {
        List<Map<String, Object>> rows = new ArrayList<>(outcomes.size());
        for (Outcome o : outcomes) {
            Map<String, Object> row = new LinkedHashMap<>(16);
            row.put("id", o.runId());
            row.put("lease_token", o.leaseToken());
            row.put("record_id", o.recordId());
            row.put("task_id", o.taskId());
            row.put("scheduled_for", o.scheduledFor().toString());
            row.put("trigger", o.trigger());
            row.put("attempt", o.attempt());
            row.put("status", o.status().wireName());
            row.put("success", o.success());
            row.put("started_at", text(o.startedAt()));
            row.put("finished_at", text(o.finishedAt()));
            row.put("error", o.error());
            row.put("output", o.output());
            row.put("retry_in_ms", o.retryAfter() == null ? null : o.retryAfter().toMillis());
            rows.add(row);
        }
        int recorded = jdbc.sql(FINISH)
                .param("batch", json.writeValueAsString(rows))
                .param("node", node)
                .param("aging", agingSeconds)
                .update();
        if (recorded > outcomes.size()) {
            throw new IllegalStateException("Finishing " + outcomes.size() + " runs of node " + node + " recorded " + recorded);
        }
        return recorded;
    }

    /** Hands runs that never started back to the queue; returns how many this node still held. */
    int release(String node, List<ClaimedRun> runs) {
        List<Map<String, Object>> rows = new ArrayList<>(runs.size());
        for (ClaimedRun run : runs) {
            Map<String, Object> row = new LinkedHashMap<>(8);
            row.put("id", run.id());
            row.put("lease_token", run.leaseToken());
            row.put("task_id", run.taskId());
            row.put("scheduled_for", run.scheduledFor().toString());
            row.put("trigger", run.trigger());
            row.put("attempt", run.attempt());
            rows.add(row);
        }
        long released = jdbc.sql(RELEASE)
                .param("batch", json.writeValueAsString(rows))
                .param("node", node)
                .query(Long.class).single();
        return (int) released;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
