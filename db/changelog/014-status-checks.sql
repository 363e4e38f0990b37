--liquibase formatted sql

--changeset ordinaut:014-task-run-status-check
-- A history row's status is one of RunStatus's final or attempt statuses (queued and running live only
-- as due_work rows, which have no status column: a run is running exactly while it holds a lease).
ALTER TABLE task_run ADD CONSTRAINT task_run_status_check
    CHECK (status IN ('succeeded', 'failed', 'dead', 'skipped', 'canceled'));
