--liquibase formatted sql

--changeset ordinaut:026-trigger-costs splitStatements:false
-- What the statement-level triggers cost per statement, measured with perf on the backends while 16 clients
-- created tasks (issue 15): a third of PostgreSQL's CPU was in these triggers, most of it parsing and planning.
--
-- outbox_append and outbox_append_text were SQL functions holding an INSERT. PostgreSQL caches no plan for
-- such a function: every call from a trigger parsed, analysed and planned the INSERT again, once per
-- statement that wrote to due_work, task_run or task — even when it had nothing to append (an enqueue that
-- found no occurrence, a claim that took nothing). As PL/pgSQL functions their INSERT is planned once per
-- connection, and an empty call returns before it. The run triggers also return at once for a statement that
-- changed no row. Same entries, same outbox rows.
CREATE OR REPLACE FUNCTION outbox_append(target_stream text, new_entries jsonb[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(new_entries) = 0 THEN
        RETURN;
    END IF;
    INSERT INTO outbox (stream, size, entries)
    SELECT target_stream, count(*), jsonb_agg(u.e ORDER BY u.i)
      FROM unnest(new_entries) WITH ORDINALITY AS u(e, i)
     GROUP BY (u.i - 1) / 1000;
END $$;

CREATE OR REPLACE FUNCTION outbox_append_text(target_stream text, new_entries text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(new_entries) = 0 THEN
        RETURN;
    END IF;
    INSERT INTO outbox (stream, size, entries)
    SELECT target_stream, count(*), CAST('[' || string_agg(u.e, ',' ORDER BY u.i) || ']' AS jsonb)
      FROM unnest(new_entries) WITH ORDINALITY AS u(e, i)
     GROUP BY (u.i - 1) / 1000;
END $$;

CREATE OR REPLACE FUNCTION outbox_run_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_rows) THEN
        RETURN NULL;
    END IF;
    PERFORM outbox_append_text('runs', ARRAY(
        SELECT outbox_run_entry('run.queued', n.id, n.task_id, n.scheduled_for, 'queued', now(), n.attempt, n.trigger,
                                false, NULL)
          FROM new_rows n));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION outbox_run_claimed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_rows) THEN
        RETURN NULL;
    END IF;
    PERFORM outbox_append_text('runs', ARRAY(
        SELECT outbox_run_entry(CASE WHEN n.locked_by IS NOT NULL THEN 'run.started' ELSE 'run.queued' END,
                                n.id, n.task_id, n.scheduled_for,
                                CASE WHEN n.locked_by IS NOT NULL THEN 'running' ELSE 'queued' END,
                                coalesce(n.started_at, now()), n.attempt, n.trigger, false, NULL)
          FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE (o.locked_by IS NULL) <> (n.locked_by IS NULL)));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION outbox_run_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_rows) THEN
        RETURN NULL;
    END IF;
    PERFORM outbox_append_text('runs', ARRAY(
        SELECT outbox_run_entry('run.' || n.status, n.run_id, n.task_id, n.scheduled_for, n.status,
                                coalesce(n.finished_at, now()), n.attempt, n.trigger, true, n.error)
          FROM new_rows n
         WHERE n.status IN ('succeeded', 'failed', 'dead', 'skipped', 'canceled')));
    RETURN NULL;
END $$;

--changeset ordinaut:026-outbox-lz4 splitStatements:false
-- An outbox row holds every entry one statement wrote: in a drain of thousands of runs a second that is
-- hundreds of entries, some 85 kB of JSON, which PostgreSQL compresses before it moves the value out of
-- line. Its default compression (pglz) took a few percent of the database's CPU in a perf profile of the
-- drain; lz4 is several times faster at about the same ratio. A server built without lz4 keeps pglz: this
-- is an optimisation, not a requirement.
DO $$
BEGIN
    ALTER TABLE outbox ALTER COLUMN entries SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'lz4 is not available on this server; the outbox keeps pglz compression';
END $$;
