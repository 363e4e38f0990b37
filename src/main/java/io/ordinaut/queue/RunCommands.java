package io.ordinaut.queue;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.ordinaut.metrics.OrdinautMetrics;

/**
 * What a caller may do to one run: cancel it (a queued run at once, a running one by asking its node to
 * interrupt it) or retry it (a run that failed for good or is dead goes back to the queue under its own
 * id). Each command is a single conditional statement; whether a status may change is decided by the
 * {@link RunStatus} transition table.
 */
@Component
public class RunCommands {

    private static final Logger log = LoggerFactory.getLogger(RunCommands.class);

    private static final String CANCEL_QUEUED = StatusSql.of("""
            WITH gone AS (
                DELETE FROM due_work WHERE id = :id AND locked_by IS NULL
                RETURNING id, task_id, scheduled_for, trigger, attempt, event
            )
            INSERT INTO {task_run:not_run}
            SELECT id, id, task_id, scheduled_for, trigger, attempt, {run:canceled}, CAST(:now AS timestamptz),
                   'canceled by request before it started', event
              FROM gone
            RETURNING trigger
            """);

    private static final String REQUEST_CANCEL = """
            UPDATE due_work SET cancel_requested = true WHERE id = :id AND locked_by IS NOT NULL RETURNING locked_by
            """;

    /**
     * Where a run or attempt is now: its queue row (queued or running) or its history row, read in one
     * statement. Two statements — the queue, then the history — could miss a run a retry moved from the
     * history into the queue between them, and answer "not found" for a run that exists.
     */
    private static final String STATE = StatusSql.of("""
            SELECT s.status, s.run_id, s.attempt, s.live, t.status AS task_status
              FROM (SELECT CASE WHEN locked_by IS NULL THEN {run:queued} ELSE {run:running} END AS status, id AS run_id,
                           attempt, true AS live, task_id
                      FROM due_work WHERE id = :id
                    UNION ALL
                    SELECT status, run_id, attempt, false, task_id FROM task_run WHERE id = :id) s
              JOIN task t ON t.id = s.task_id
             ORDER BY s.live DESC
             LIMIT 1
            """);

    /**
     * Puts a run that ended in failure back in the queue under its own id: its last attempt's row moves
     * to a fresh id and stays in the history as an earlier attempt of the run, and the run is queued as
     * attempt + 1 with trigger retry, due now (the database's now, as every due time). The moved row of a
     * dead run becomes failed, as every earlier attempt that was retried is: the run is no longer a dead
     * letter, and should it die again it is one dead letter, not two (GET /runs?status=dead, the stats'
     * dead count and GET /admin/queue's dead_letters all count dead rows). Its error says it was retried
     * by request, and when it had been dead. Its origin is retry: an explicit request, like run_now, that a
     * pause or schedule change leaves queued (with its own automatic retries), whatever first queued the run.
     */
    private static final String RETRY = StatusSql.of("""
            WITH old AS (
                SELECT r.id, r.task_id, r.scheduled_for, r.attempt, r.event
                  FROM task_run r JOIN task t ON t.id = r.task_id
                 WHERE r.id = :id AND r.run_id = :id AND r.status IN ({run:failed}, {run:dead}) AND t.status <> {task:canceled}
                   FOR UPDATE OF r
            ), moved AS (
                UPDATE task_run r
                   SET id = :historyId, status = {run:failed},
                       error = concat_ws(' ', r.error, CASE WHEN r.status = {run:dead}
                                                            THEN '(a dead letter until retried by request at ' || :now || ')'
                                                            ELSE '(retried by request at ' || :now || ')' END)
                  FROM old WHERE r.id = old.id
            ), queued AS (
                INSERT INTO due_work (id, task_id, scheduled_for, run_at, queue_order, priority, trigger, origin, attempt,
                                      overlap_policy, concurrency_key, concurrency_limit, event)
                SELECT old.id, old.task_id, old.scheduled_for, now(),
                       now() + make_interval(secs => (t.priority - 1) * :aging), t.priority, 'retry', 'retry',
                       old.attempt + 1, t.overlap_policy, %s, t.concurrency_limit, old.event
                  FROM old JOIN task t ON t.id = old.task_id
                RETURNING id, concurrency_key
            ), slot AS (
                INSERT INTO concurrency_slot (key) SELECT concurrency_key FROM queued WHERE concurrency_key IS NOT NULL
                ON CONFLICT DO NOTHING
            )
            SELECT count(*) FROM queued
            """).formatted(DueWorkQueue.scopedKey("t.concurrency_key"));

    static {
        RunStatus.QUEUED.to(RunStatus.CANCELED);
        RunStatus.DEAD.to(RunStatus.QUEUED);
        RunStatus.FAILED.to(RunStatus.QUEUED);
        RunStatus.DEAD.to(RunStatus.FAILED);
    }

    private final JdbcClient jdbc;
    private final Notifications notifications;
    private final Clock clock;
    private final long agingSeconds;
    private final OrdinautMetrics metrics;

    /** Commands whose canceled runs are not counted (tests). */
    public RunCommands(JdbcClient jdbc, Clock clock, RunProperties runs) {
        this(jdbc, clock, runs, OrdinautMetrics.none());
    }

    @Autowired
    public RunCommands(JdbcClient jdbc, Clock clock, RunProperties runs, OrdinautMetrics metrics) {
        this.metrics = metrics;
        this.jdbc = jdbc;
        this.notifications = new Notifications(jdbc);
        this.clock = clock;
        this.agingSeconds = runs.agingSeconds();
    }

    /** Cancels a queued run at once, or asks the node running it to interrupt it. */
    public Result cancel(UUID runId) {
        Timestamp now = Timestamp.from(clock.instant());
        // Twice: a running run may be re-queued for a retry between the two statements.
        for (int round = 0; round < 2; round++) {
            Optional<String> canceled = jdbc.sql(CANCEL_QUEUED).param("id", runId).param("now", now).query(String.class).optional();
            if (canceled.isPresent()) {
                metrics.runsEndedUnstarted(RunStatus.CANCELED.wireName(), canceled.get(), 1);
                return Result.applied(runId, RunStatus.CANCELED, "Run " + runId + " canceled before it started");
            }
            Optional<String> owner = jdbc.sql(REQUEST_CANCEL).param("id", runId).query(String.class).optional();
            if (owner.isPresent()) {
                notifications.cancelRun(runId);
                log.info("Cancel of running run {} requested from node {}", runId, owner.get());
                return Result.applied(runId, RunStatus.RUNNING, "Run " + runId + " is running on node " + owner.get()
                        + "; it is being interrupted and will be recorded as canceled");
            }
        }
        return state(runId)
                .map(r -> r.live() || r.status().canBecome(RunStatus.CANCELED)
                        ? Result.conflict(runId, r.status(), "Run " + runId + " changed while it was being canceled; try again")
                        : Result.conflict(runId, r.status(), "Run " + runId + " already ended: it is " + r.status().wireName()
                                + " and cannot be canceled"))
                .orElseGet(() -> Result.notFound(runId));
    }

    /**
     * Re-queues a run that ended failed or dead. Its attempts count on: retries the task's max_retries
     * still allows follow a failure as usual; a run that had used them (a dead letter) gets this one
     * attempt, and ends dead again — one dead letter — if it fails.
     */
    public Result retry(UUID runId) {
        Optional<State> found = state(runId);
        if (found.isEmpty()) {
            return Result.notFound(runId);
        }
        State r = found.get();
        if (r.live()) {
            return Result.conflict(runId, r.status(), "Run " + runId + " is " + r.status().wireName()
                    + "; only a run that ended in failure can be retried");
        }
        if (!r.runId().equals(runId)) {
            // The 409 names the run to retry, with that run's status: the attempt's own row says only
            // that this attempt failed, which is not why the retry is refused.
            UUID run = r.runId();
            RunStatus runStatus = state(run).map(State::status).orElse(r.status());
            return Result.earlierAttempt(runId, run, runStatus, runId + " is attempt " + r.attempt() + " of run " + run
                    + ", which went on after it; retry run " + run + " instead");
        }
        if (!r.status().canBecome(RunStatus.QUEUED)) {
            return Result.conflict(runId, r.status(), "Run " + runId + " is " + r.status().wireName()
                    + "; only failed or dead runs can be retried");
        }
        if ("canceled".equals(r.taskStatus())) {
            return Result.conflict(runId, r.status(), "The task of run " + runId + " is canceled; its runs cannot be retried");
        }
        long queued = jdbc.sql(RETRY)
                .param("id", runId)
                .param("historyId", UUID.randomUUID())
                .param("now", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString())
                .param("aging", agingSeconds)
                .query(Long.class).single();
        if (queued != 1) {
            log.debug("Retry of run {} lost a race", runId);
            return Result.conflict(runId, r.status(), "Run " + runId + " changed while it was being retried; try again");
        }
        notifications.wakeExecutors();
        return Result.applied(runId, RunStatus.QUEUED, "Run " + runId + " queued again as attempt " + (r.attempt() + 1));
    }

    private Optional<State> state(UUID runId) {
        return jdbc.sql(STATE).param("id", runId).query().listOfRows().stream().findFirst()
                .map(row -> new State(RunStatus.fromWire((String) row.get("status")), (UUID) row.get("run_id"),
                        ((Number) row.get("attempt")).intValue(), (Boolean) row.get("live"), (String) row.get("task_status")));
    }

    /** A run's status where it is now; {@code live}: in the queue, else its (or an attempt's) history row. */
    private record State(RunStatus status, UUID runId, int attempt, boolean live, String taskStatus) {
    }

    /**
     * How a command went.
     *
     * @param runId     the run the command is about: the id given, or for an earlier attempt's id the run
     *                  that attempt belongs to
     * @param found     false when no run has this id
     * @param applied   false when the run's status does not allow the command (a conflict)
     * @param status    the run's status after the command (or, on a conflict, its current status)
     * @param attemptId the id given when it names an earlier attempt of run {@code runId}; null otherwise
     */
    public record Result(UUID runId, boolean found, boolean applied, RunStatus status, String message, UUID attemptId) {

        static Result applied(UUID runId, RunStatus status, String message) {
            return new Result(runId, true, true, status, message, null);
        }

        static Result conflict(UUID runId, RunStatus status, String message) {
            return new Result(runId, true, false, status, message, null);
        }

        static Result earlierAttempt(UUID attemptId, UUID runId, RunStatus runStatus, String message) {
            return new Result(runId, true, false, runStatus, message, attemptId);
        }

        static Result notFound(UUID runId) {
            return new Result(runId, false, false, null, "Run " + runId + " not found", null);
        }

        public Map<String, Object> details() {
            if (attemptId != null) {
                return Map.of("run_id", runId, "status", status.wireName(), "attempt_id", attemptId);
            }
            return status == null ? Map.of("run_id", runId) : Map.of("run_id", runId, "status", status.wireName());
        }
    }
}
