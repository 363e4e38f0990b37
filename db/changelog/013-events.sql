--liquibase formatted sql

--changeset ordinaut:013-events
-- Published events (io.ordinaut.event). id is the caller's event_id when given (publishing is then
-- idempotent), else a generated UUID. triggered_tasks: the tasks that got a run, kept so the answer to a
-- repeated event_id and GET /events/{id} need no scan of the run history.
CREATE TABLE event (
    id              text PRIMARY KEY,
    topic           text NOT NULL,
    payload         jsonb NOT NULL,
    published_by    uuid NOT NULL,
    source_agent_id uuid,
    published_at    timestamptz NOT NULL,
    triggered_tasks uuid[] NOT NULL DEFAULT '{}'
);
CREATE INDEX event_published_idx ON event (published_at DESC);
CREATE INDEX event_topic_idx ON event (topic, published_at DESC);
CREATE INDEX event_publisher_idx ON event (published_by, published_at DESC);
-- Publishing looks up the active event tasks; a partial index keeps that cheap among many time-driven tasks.
CREATE INDEX task_event_subscription_idx ON task (schedule_expr) WHERE schedule_kind = 'event' AND status = 'active';

--changeset ordinaut:013-outbox
-- The transactional outbox: one row per event, run lifecycle change and task change, written by the
-- triggers below in the same transaction (and the same statement) as the change itself, so a batched
-- finish stays one statement. id orders rows by insertion; seq is the delivery order, given by the one
-- node at a time that sequences the outbox (io.ordinaut.event.SequenceOutbox) after commit, so a reader
-- resuming after seq N can never miss a row that committed late with a lower id.
CREATE TABLE outbox (
    id         bigserial PRIMARY KEY,
    seq        bigint UNIQUE,
    stream     text NOT NULL CHECK (stream IN ('events', 'runs')),
    type       text NOT NULL,
    -- the agent whose event or task it is (for runs: the task's owner, looked up when read)
    agent_id   uuid,
    task_id    uuid,
    body       jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    relayed_at timestamptz
);
CREATE INDEX outbox_unsequenced_idx ON outbox (id) WHERE seq IS NULL;
CREATE INDEX outbox_unrelayed_idx ON outbox (seq) WHERE relayed_at IS NULL AND seq IS NOT NULL;
ALTER TABLE outbox SET (autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_insert_scale_factor = 0.05,
                        autovacuum_vacuum_cost_delay = 0);

-- Webhook deliveries of run outcomes to agents' webhook_url (io.ordinaut.event.DeliverWebhooks).
ALTER TABLE agent
    ADD COLUMN webhook_secret text,
    ADD COLUMN webhook_events text NOT NULL DEFAULT 'all' CHECK (webhook_events IN ('all', 'failures'));
CREATE TABLE webhook_delivery (
    outbox_id    bigint NOT NULL,
    agent_id     uuid NOT NULL,
    url          text NOT NULL,
    body         jsonb NOT NULL,
    attempts     integer NOT NULL DEFAULT 0,
    next_at      timestamptz NOT NULL,
    deliver_until timestamptz NOT NULL,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outbox_id, agent_id)
);
CREATE INDEX webhook_delivery_due_idx ON webhook_delivery (next_at) WHERE status = 'pending';

-- Positions in the outbox's seq order: 'sequence' is the last seq given (so numbering never restarts when
-- retention has emptied the table), 'webhooks' the last row webhook deliveries were scheduled from.
CREATE TABLE outbox_cursor (
    name text PRIMARY KEY,
    seq  bigint NOT NULL
);
INSERT INTO outbox_cursor (name, seq) VALUES ('sequence', 0), ('webhooks', 0);

--changeset ordinaut:013-outbox-triggers splitStatements:false
-- Statement-level triggers with transition tables: one INSERT … SELECT into the outbox per statement,
-- however many rows it changed, so the batched claim and finish stay batched.
CREATE FUNCTION outbox_event_published() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (stream, type, agent_id, body)
    SELECT 'events', 'event', n.published_by,
           jsonb_build_object('event_id', n.id, 'topic', n.topic, 'payload', n.payload,
                              'published_at', to_char(n.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                              'publisher', n.published_by, 'triggered_tasks', to_jsonb(n.triggered_tasks))
      FROM new_rows n ORDER BY n.published_at;
    RETURN NULL;
END $$;
CREATE TRIGGER event_outbox AFTER INSERT ON event REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_event_published();

CREATE FUNCTION outbox_iso(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

CREATE FUNCTION outbox_run_body(run_id uuid, task_id uuid, scheduled_for timestamptz, status text, at timestamptz,
                                attempt integer, trigger text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('run_id', run_id, 'task_id', task_id, 'scheduled_for', outbox_iso(scheduled_for),
                              'status', status, 'at', outbox_iso(at), 'attempt', attempt, 'trigger', trigger)
$$;

-- A new queue row is a queued run.
CREATE FUNCTION outbox_run_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (stream, type, task_id, body)
    SELECT 'runs', 'run.queued', n.task_id,
           outbox_run_body(n.id, n.task_id, n.scheduled_for, 'queued', now(), n.attempt, n.trigger)
      FROM new_rows n;
    RETURN NULL;
END $$;
CREATE TRIGGER due_work_outbox_insert AFTER INSERT ON due_work REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_run_queued();

-- A claim (locked_by set) starts a run; handing a leased row back (retry, reclaim, release) queues it again.
CREATE FUNCTION outbox_run_claimed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (stream, type, task_id, body)
    SELECT 'runs', CASE WHEN n.locked_by IS NOT NULL THEN 'run.started' ELSE 'run.queued' END, n.task_id,
           outbox_run_body(n.id, n.task_id, n.scheduled_for,
                           CASE WHEN n.locked_by IS NOT NULL THEN 'running' ELSE 'queued' END,
                           coalesce(n.started_at, now()), n.attempt, n.trigger)
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE (o.locked_by IS NULL) <> (n.locked_by IS NULL);
    RETURN NULL;
END $$;
CREATE TRIGGER due_work_outbox_update AFTER UPDATE ON due_work REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_run_claimed();

-- Every ended attempt is a task_run row: its status names the lifecycle entry.
CREATE FUNCTION outbox_run_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (stream, type, task_id, body)
    SELECT 'runs', 'run.' || n.status, n.task_id,
           outbox_run_body(n.run_id, n.task_id, n.scheduled_for, n.status, coalesce(n.finished_at, now()), n.attempt, n.trigger)
             || jsonb_build_object('error', n.error)
      FROM new_rows n
     WHERE n.status IN ('succeeded', 'failed', 'dead', 'skipped', 'canceled');
    RETURN NULL;
END $$;
CREATE TRIGGER task_run_outbox AFTER INSERT ON task_run REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_run_ended();

CREATE FUNCTION outbox_task_body(t task) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('task_id', t.id, 'title', t.title, 'status', t.status, 'schedule_kind', t.schedule_kind,
                              'schedule_expr', t.schedule_expr, 'created_by', t.created_by, 'at', outbox_iso(t.updated_at))
$$;

CREATE FUNCTION outbox_task_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (stream, type, agent_id, task_id, body)
    SELECT 'runs', 'task.created', n.created_by, n.id, outbox_task_body(n) FROM new_rows n;
    RETURN NULL;
END $$;
CREATE TRIGGER task_outbox_insert AFTER INSERT ON task REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_task_created();

-- A status change names itself; any other change the owner made moves updated_at (internal bookkeeping
-- such as attaching a shared schedule does not, and is no task.updated).
CREATE FUNCTION outbox_task_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (stream, type, agent_id, task_id, body)
    SELECT 'runs',
           CASE WHEN n.status = o.status THEN 'task.updated'
                WHEN n.status = 'active' THEN 'task.resumed'
                ELSE 'task.' || n.status END,
           n.created_by, n.id, outbox_task_body(n)
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.status <> o.status OR n.updated_at <> o.updated_at;
    RETURN NULL;
END $$;
CREATE TRIGGER task_outbox_update AFTER UPDATE ON task REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_task_changed();
