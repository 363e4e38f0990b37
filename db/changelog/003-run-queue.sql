--liquibase formatted sql

--changeset ordinaut:003-task-run-policies
-- How a task's runs behave in the queue (see io.ordinaut.queue): what happens when an occurrence comes up
-- while the previous run still runs, how long a run may take, and how many runs sharing the task's
-- concurrency_key may run at once across the cluster.
ALTER TABLE task
    ADD COLUMN overlap_policy      text NOT NULL DEFAULT 'skip' CHECK (overlap_policy IN ('skip', 'queue', 'allow')),
    ADD COLUMN run_timeout_seconds integer CHECK (run_timeout_seconds BETWEEN 1 AND 604800),
    ADD COLUMN concurrency_limit   integer NOT NULL DEFAULT 1 CHECK (concurrency_limit BETWEEN 1 AND 10000);

--changeset ordinaut:003-due-work-leases
-- The queue row carries what the claim needs to decide without touching the task table:
--   queue_order       the run's place in line: run_at + (priority - 1) * priority aging. One index serves
--                     "priority first" among runs due at about the same time and bounds how long a
--                     low-priority run can be overtaken.
--   overlap_policy, concurrency_key, concurrency_limit  copied from the task at enqueue.
--   lease_token       fences completion: set by each claim, checked by every finish, renewal and release,
--                     so a node that lost its lease cannot overwrite the result of the node that reclaimed it.
--   started_at        when the current attempt was claimed (for the attempt's history row on reclaim).
--   cancel_requested  POST /runs/{id}/cancel on a running run; the owning node interrupts it.
--   event             the event that triggered the run (trigger = 'event'), passed to the pipeline.
ALTER TABLE due_work
    ADD COLUMN queue_order       timestamptz,
    ADD COLUMN overlap_policy    text NOT NULL DEFAULT 'allow',
    ADD COLUMN concurrency_key   text,
    ADD COLUMN concurrency_limit integer NOT NULL DEFAULT 1,
    ADD COLUMN lease_token       uuid,
    ADD COLUMN started_at        timestamptz,
    ADD COLUMN cancel_requested  boolean NOT NULL DEFAULT false,
    ADD COLUMN event             jsonb;
UPDATE due_work SET queue_order = run_at + make_interval(secs => (priority - 1) * 60);
ALTER TABLE due_work ALTER COLUMN queue_order SET NOT NULL;
-- No foreign key to task: every enqueue statement selects its runs from task, so a run always has its
-- task when it is queued, while the key's check locked (and so rewrote) the task row of every run
-- enqueued — a third of the cost of enqueueing a 100,000-run occurrence. Tasks are never deleted
-- (DELETE /tasks/{id} cancels); the retention duty removes queue rows of a task that is gone.
ALTER TABLE due_work DROP CONSTRAINT due_work_task_id_fkey;

-- Claims walk ready rows in queue_order; the claim loop asks for the earliest run_at to know how long it
-- may sleep. Partial indexes: leased rows never enter the ready indexes, so they stay as small as the
-- backlog.
DROP INDEX due_work_ready_idx;
CREATE INDEX due_work_ready_idx ON due_work (queue_order) WHERE locked_by IS NULL;
-- attempt > 0 is always true: it keeps this index out of the claim's reach (the claim does not state
-- it), so the planner can only walk due_work_ready_idx there; the earliest-run_at query states it.
CREATE INDEX due_work_due_idx ON due_work (run_at) WHERE locked_by IS NULL AND attempt > 0;
-- Every claim re-indexes the rows it leases in each index whose predicate they now match; the reaper
-- finds expired leases among at most a few thousand leased rows, which a scan does as well as an index.
DROP INDEX due_work_locked_idx;
-- overlap_policy skip/queue: at most one running run per task, enforced by the database. The claim
-- already avoids it (a run waits while an earlier run of its task is due or running); this index
-- closes the last race between two nodes' claims, which then fails and is retried.
CREATE UNIQUE INDEX due_work_one_running_per_task_uq ON due_work (task_id)
    WHERE locked_by IS NOT NULL AND overlap_policy <> 'allow';

-- The queue is rewritten constantly (insert, claim, delete): vacuum it early and without throttling so
-- dead rows never pile up in front of the claims.
ALTER TABLE due_work SET (autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_insert_threshold = 1000,
                          autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_vacuum_cost_delay = 0);

--changeset ordinaut:003-task-run-history
-- Every attempt is one task_run row. run_id names the logical run (the due_work id, the id run_now
-- returns). The row of the attempt that ended the run has id = run_id; earlier attempts (failed and
-- retried, lost with their node) get ids of their own.
ALTER TABLE task_run
    ADD COLUMN run_id uuid,
    ADD COLUMN event  jsonb;
UPDATE task_run SET run_id = id;
ALTER TABLE task_run ALTER COLUMN run_id SET NOT NULL;
-- No foreign key to task: its check took a FOR KEY SHARE lock on the task row for every recorded
-- attempt (a quarter of the cost of finishing a batch, and a row lock competing with task updates).
-- Tasks are never deleted (DELETE /tasks/{id} cancels), and history is removed by retention.
ALTER TABLE task_run DROP CONSTRAINT task_run_task_id_fkey;
-- The dead-letter list (GET /runs?status=dead) without scanning the history.
CREATE INDEX task_run_dead_idx ON task_run (created_at DESC) WHERE status = 'dead';
-- Append-mostly: vacuum after inserts too (visibility map for index-only scans, freezing).
ALTER TABLE task_run SET (autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02);

--changeset ordinaut:003-concurrency-and-dedupe
-- How many runs of each concurrency_key are leased right now. Claims lock the key's row (which always
-- shows the latest committed count, whatever the claim's snapshot) and add what they take; finishing,
-- re-queueing, reclaiming and releasing subtract. Rows are created on enqueue and kept (one per key).
CREATE TABLE concurrency_slot (
    key     text PRIMARY KEY,
    running integer NOT NULL DEFAULT 0
) WITH (fillfactor = 50);

-- The last run seen per dedupe_key. An enqueue takes the key only when the previous sighting is older
-- than the new run's window (INSERT … ON CONFLICT DO UPDATE … WHERE), which is atomic across nodes.
CREATE TABLE dedupe_ledger (
    key        text PRIMARY KEY,
    run_id     uuid NOT NULL,
    seen_at    timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX dedupe_ledger_expires_idx ON dedupe_ledger (expires_at);

--changeset ordinaut:003-worker-state
-- running | draining (stopping: no new claims, finishing what it has) | stopped. A running worker whose
-- last_seen is old is reported as lost.
ALTER TABLE worker_heartbeat ADD COLUMN state text NOT NULL DEFAULT 'running';
