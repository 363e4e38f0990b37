--liquibase formatted sql

--changeset ordinaut:002-core-tables
-- Names follow the original Ordinaut schema (agent, task, task_run, due_work, audit_log,
-- worker_heartbeat). Every instant is timestamptz (stored in UTC); wall-clock rules use task.timezone.

CREATE TABLE agent (
    id          uuid PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    scopes      text[] NOT NULL DEFAULT '{}',
    webhook_url text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The built-in system agent owns tasks created without an explicit owner.
INSERT INTO agent (id, name, scopes) VALUES ('00000000-0000-0000-0000-000000000001', 'system', '{admin}');

-- One row per distinct canonical schedule: tasks with the same sharing_key share one Quartz trigger
-- (named by schedule.id), so Quartz fires once per distinct schedule, not once per task.
-- A row exists exactly while at least one active task points at it.
CREATE TABLE schedule (
    id                    uuid PRIMARY KEY,
    sharing_key           text NOT NULL UNIQUE,
    kind                  text NOT NULL,
    expr                  text NOT NULL,
    timezone              text NOT NULL,
    anchor                timestamptz NOT NULL,
    start_at              timestamptz,
    end_at                timestamptz,
    misfire_grace_seconds integer NOT NULL,
    -- The latest scheduled instant whose batch was enqueued. It only moves forward, which fences
    -- a repeated Quartz fire, and tells a task joining late which instants it must enqueue itself.
    enqueued_through      timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE task (
    id                    uuid PRIMARY KEY,
    title                 text NOT NULL,
    description           text NOT NULL DEFAULT '',
    created_by            uuid NOT NULL REFERENCES agent (id),
    schedule_kind         text NOT NULL CHECK (schedule_kind IN ('cron', 'rrule', 'once', 'interval', 'event')),
    schedule_expr         text NOT NULL,
    timezone              text NOT NULL,
    payload               jsonb NOT NULL,
    status                text NOT NULL CHECK (status IN ('active', 'paused', 'canceled', 'completed')),
    priority              smallint NOT NULL CHECK (priority BETWEEN 1 AND 9),
    max_retries           smallint NOT NULL CHECK (max_retries BETWEEN 0 AND 10),
    backoff_strategy      text NOT NULL CHECK (backoff_strategy IN ('exponential_jitter', 'linear', 'fixed')),
    dedupe_key            text,
    dedupe_window_seconds integer,
    concurrency_key       text,
    misfire_grace_seconds integer NOT NULL,
    jitter_seconds        integer NOT NULL DEFAULT 0,
    start_at              timestamptz,
    end_at                timestamptz,
    -- The shared schedule this task fires with; set only while the task is active and time-driven.
    schedule_id           uuid REFERENCES schedule (id),
    -- Occurrences at or before this instant are never run (creation, resume, schedule change).
    active_since          timestamptz NOT NULL,
    -- A snooze delays one occurrence: the run for snoozed_for starts snooze_seconds later.
    snoozed_for           timestamptz,
    snooze_seconds        integer,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL
);
CREATE INDEX task_schedule_idx ON task (schedule_id) WHERE schedule_id IS NOT NULL;
CREATE INDEX task_created_by_idx ON task (created_by, created_at);
CREATE INDEX task_status_idx ON task (status, created_at);

-- The run queue: one row per run waiting or executing. Small and hot; finished runs move to task_run.
CREATE TABLE due_work (
    id            uuid PRIMARY KEY,
    task_id       uuid NOT NULL REFERENCES task (id) ON DELETE CASCADE,
    scheduled_for timestamptz NOT NULL,
    run_at        timestamptz NOT NULL,
    priority      smallint NOT NULL,
    trigger       text NOT NULL,
    attempt       integer NOT NULL DEFAULT 1,
    locked_by     text,
    locked_until  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- A repeated fire (crash, race) can never create a second run of one occurrence.
    CONSTRAINT due_work_occurrence_uq UNIQUE (task_id, scheduled_for)
);
-- Claims read only ready rows; the partial index keeps them cheap however many rows are leased.
CREATE INDEX due_work_ready_idx ON due_work (priority, run_at) WHERE locked_by IS NULL;
CREATE INDEX due_work_locked_idx ON due_work (locked_until) WHERE locked_by IS NOT NULL;
ALTER TABLE due_work SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02,
                          fillfactor = 80);

CREATE TABLE task_run (
    id            uuid PRIMARY KEY,
    task_id       uuid NOT NULL REFERENCES task (id) ON DELETE CASCADE,
    scheduled_for timestamptz NOT NULL,
    trigger       text NOT NULL,
    attempt       integer NOT NULL,
    status        text NOT NULL,
    success       boolean,
    lease_owner   text,
    started_at    timestamptz,
    finished_at   timestamptz,
    error         text,
    output        jsonb,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_run_task_idx ON task_run (task_id, created_at DESC);
CREATE INDEX task_run_created_idx ON task_run (created_at DESC);

-- Occurrences that did not run because no node was up to fire them: coalesced into one catch-up run
-- when within misfire_grace_seconds, dropped when older.
CREATE TABLE missed_occurrence (
    id            bigserial PRIMARY KEY,
    task_id       uuid NOT NULL REFERENCES task (id) ON DELETE CASCADE,
    first_missed  timestamptz NOT NULL,
    last_missed   timestamptz NOT NULL,
    missed_count  integer NOT NULL,
    caught_up_for timestamptz,
    reason        text NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX missed_occurrence_task_idx ON missed_occurrence (task_id, recorded_at DESC);

CREATE TABLE audit_log (
    id         bigserial PRIMARY KEY,
    actor      uuid,
    action     text NOT NULL,
    subject_id text,
    details    jsonb,
    request_id text,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);

CREATE TABLE worker_heartbeat (
    node_id    text PRIMARY KEY,
    host       text NOT NULL,
    pid        bigint NOT NULL,
    roles      text NOT NULL,
    started_at timestamptz NOT NULL,
    last_seen  timestamptz NOT NULL,
    in_flight  integer NOT NULL DEFAULT 0,
    processed  bigint NOT NULL DEFAULT 0
);
