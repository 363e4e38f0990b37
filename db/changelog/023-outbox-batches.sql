--liquibase formatted sql

--changeset ordinaut:023-outbox-batches splitStatements:false
-- One outbox row per statement (and at most 1,000 entries), not one per changed row. Writing, sequencing,
-- relaying and pruning one row per run lifecycle step cost more than the queue itself (a 100,000-run
-- drain ran at 42 % of its speed without the outbox): a batched claim or finish now writes one row.
-- entries holds the row's entries in order, each {type, agent_id, task_id, body}; entry i (from 1) of a
-- row has the delivery position seq + i - 1, so positions stay one number per entry, dense and ordered,
-- and last_seq = seq + size - 1. An entry's position is also its outbox_id, the key consumers dedupe by.
ALTER TABLE outbox
    ADD COLUMN size     integer,
    ADD COLUMN last_seq bigint,
    ADD COLUMN entries  jsonb;
UPDATE outbox
   SET size = 1, last_seq = seq,
       entries = jsonb_build_array(jsonb_build_object('type', type, 'agent_id', agent_id, 'task_id', task_id, 'body', body));
ALTER TABLE outbox
    ALTER COLUMN size SET NOT NULL,
    ALTER COLUMN entries SET NOT NULL,
    ADD CONSTRAINT outbox_size_check CHECK (size > 0),
    DROP COLUMN type,
    DROP COLUMN agent_id,
    DROP COLUMN task_id,
    DROP COLUMN body;
-- Readers look for the rows that hold positions after theirs.
CREATE UNIQUE INDEX outbox_last_seq_idx ON outbox (last_seq);
-- Webhook deliveries are keyed by the entry's position from now on; old ones keep their row id.

-- The entries of the outbox one per line, in delivery order: for people and tests reading the outbox.
CREATE VIEW outbox_entry AS
SELECT o.seq + e.ord - 1 AS seq, o.id AS row_id, e.ord AS entry_no, o.stream, e.x ->> 'type' AS type,
       CAST(e.x ->> 'agent_id' AS uuid) AS agent_id, CAST(e.x ->> 'task_id' AS uuid) AS task_id,
       e.x -> 'body' AS body, o.created_at, o.relayed_at
  FROM outbox o CROSS JOIN LATERAL jsonb_array_elements(o.entries) WITH ORDINALITY AS e(x, ord);

CREATE FUNCTION outbox_entry(type text, agent_id uuid, task_id uuid, body jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('type', type, 'agent_id', agent_id, 'task_id', task_id, 'body', body)
$$;

-- Appends a statement's entries, in order, as rows of at most 1,000 entries (nothing for none).
CREATE FUNCTION outbox_append(target_stream text, new_entries jsonb[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO outbox (stream, size, entries)
    SELECT target_stream, count(*), jsonb_agg(u.e ORDER BY u.i)
      FROM unnest(new_entries) WITH ORDINALITY AS u(e, i)
     GROUP BY (u.i - 1) / 1000
$$;

CREATE OR REPLACE FUNCTION outbox_event_published() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM outbox_append('events', ARRAY(
        SELECT outbox_entry('event', n.published_by, NULL,
                   jsonb_build_object('event_id', n.id, 'topic', n.topic, 'payload', n.payload,
                                      'published_at', outbox_iso(n.published_at), 'publisher', n.published_by,
                                      'triggered_tasks', to_jsonb(n.triggered_tasks)))
          FROM new_rows n ORDER BY n.published_at));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION outbox_run_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM outbox_append('runs', ARRAY(
        SELECT outbox_entry('run.queued', NULL, n.task_id,
                   outbox_run_body(n.id, n.task_id, n.scheduled_for, 'queued', now(), n.attempt, n.trigger))
          FROM new_rows n));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION outbox_run_claimed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM outbox_append('runs', ARRAY(
        SELECT outbox_entry(CASE WHEN n.locked_by IS NOT NULL THEN 'run.started' ELSE 'run.queued' END, NULL, n.task_id,
                   outbox_run_body(n.id, n.task_id, n.scheduled_for,
                                   CASE WHEN n.locked_by IS NOT NULL THEN 'running' ELSE 'queued' END,
                                   coalesce(n.started_at, now()), n.attempt, n.trigger))
          FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE (o.locked_by IS NULL) <> (n.locked_by IS NULL)));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION outbox_run_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM outbox_append('runs', ARRAY(
        SELECT outbox_entry('run.' || n.status, NULL, n.task_id,
                   outbox_run_body(n.run_id, n.task_id, n.scheduled_for, n.status, coalesce(n.finished_at, now()),
                                   n.attempt, n.trigger) || jsonb_build_object('error', n.error))
          FROM new_rows n
         WHERE n.status IN ('succeeded', 'failed', 'dead', 'skipped', 'canceled')));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION outbox_task_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM outbox_append('runs', ARRAY(
        SELECT outbox_entry('task.created', n.created_by, n.id, outbox_task_body(n)) FROM new_rows n));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION outbox_task_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM outbox_append('runs', ARRAY(
        SELECT outbox_entry(CASE WHEN n.status = o.status THEN 'task.updated'
                                 WHEN n.status = 'active' THEN 'task.resumed'
                                 ELSE 'task.' || n.status END,
                            n.created_by, n.id, outbox_task_body(n))
          FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE n.status <> o.status OR n.updated_at <> o.updated_at));
    RETURN NULL;
END $$;
