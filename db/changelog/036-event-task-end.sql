--liquibase formatted sql

--changeset ordinaut:036-event-task-end
-- Active event tasks with an end_at, by end_at: every node looks every 5 s for those whose end_at has
-- passed, to complete them (CompleteEventTasksAtEndAt). Without it that look would read every active
-- event task's row through task_event_subscription_idx, however few of them end.
CREATE INDEX task_event_end_idx ON task (end_at) WHERE schedule_kind = 'event' AND status = 'active' AND end_at IS NOT NULL;
