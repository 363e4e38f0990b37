--liquibase formatted sql

--changeset ordinaut:037-run-origin
-- What first queued a run (schedule, run_now, event, or retry for a retry by request), kept for the run's
-- whole life in the queue: an automatic retry and a lease reclaim overwrite trigger ('retry', 'reclaim'),
-- and a pause, cancel or schedule change must still know a scheduled run's retry from a run_now's.
-- Rows already retrying or reclaimed when this ran stay null and are judged by trigger, as before.
ALTER TABLE due_work ADD COLUMN origin text;
UPDATE due_work SET origin = trigger WHERE trigger IN ('schedule', 'run_now', 'event');
