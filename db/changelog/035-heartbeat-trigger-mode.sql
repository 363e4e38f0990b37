--liquibase formatted sql

--changeset ordinaut:035-heartbeat-trigger-mode
-- The ordinaut.trigger.mode each node runs, written when it starts (FiringModeCheck): a node started with
-- another mode than the live nodes' would convert every trigger under them, so it refuses to start. Null for
-- nodes of an earlier version, which the check cannot judge.
ALTER TABLE worker_heartbeat ADD COLUMN trigger_mode text;
