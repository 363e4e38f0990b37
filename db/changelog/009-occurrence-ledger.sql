--liquibase formatted sql

--changeset ordinaut:009-occurrence-ledger
-- One row per (shared schedule, occurrence) whose fire was handled: its runs were enqueued, or it was
-- recorded as missed because it came too late. It replaces schedule.enqueued_through as the fence
-- against repeated fires: a high-water mark let a later occurrence's commit swallow an earlier one
-- whose enqueue failed and was fired again (Quartz recovery, a refire), without even recording it as
-- missed. A task joining a schedule late enqueues exactly the ledger's occurrences after its
-- active_since. Each fire prunes its schedule's rows older than the retention (see OccurrenceEnqueuer);
-- the rows go with their schedule.
CREATE TABLE schedule_occurrence (
    schedule_id uuid NOT NULL REFERENCES schedule (id) ON DELETE CASCADE,
    occurrence  timestamptz NOT NULL,
    -- 'enqueued' or 'missed' (the fire came later than the schedule's misfire_grace_seconds)
    outcome     text NOT NULL CHECK (outcome IN ('enqueued', 'missed')),
    handled_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (schedule_id, occurrence)
);
-- What the fence already covered is in the ledger, so no fire after the upgrade repeats it.
INSERT INTO schedule_occurrence (schedule_id, occurrence, outcome)
SELECT id, enqueued_through, 'enqueued' FROM schedule WHERE enqueued_through IS NOT NULL;

--changeset ordinaut:009-due-work-active-period
-- The task's active_since when a scheduled run was enqueued. Pausing, resuming and rescheduling give the
-- task a new active period (or a status that fires nothing), so the claim recognises a scheduled run that
-- a fire enqueued for an earlier period (a race with the change) and records it canceled instead of
-- starting it.
ALTER TABLE due_work ADD COLUMN active_since timestamptz;
