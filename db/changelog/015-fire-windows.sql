--liquibase formatted sql

--changeset ordinaut:015-fire-windows
-- Fire windows (ordinaut.trigger.mode=windows): a bounded number of Quartz triggers, one per group,
-- fire every window and enqueue the occurrences of their group's schedules inside a horizon, instead
-- of one Quartz trigger per schedule. next_fire_at is the earliest occurrence of the schedule no
-- fire has handled yet (computed in Java by the compiled schedule, so it is filled at start-up for
-- schedules from an earlier version); fire_bucket spreads schedules over the groups (bucket % groups),
-- so changing the number of groups moves no row. finished: every occurrence was handled and the
-- tasks complete once next_fire_at (the last occurrence) has passed.
ALTER TABLE schedule ADD COLUMN next_fire_at timestamptz;
ALTER TABLE schedule ADD COLUMN fire_bucket smallint NOT NULL DEFAULT floor(random() * 1024);
ALTER TABLE schedule ADD COLUMN finished boolean NOT NULL DEFAULT false;
CREATE INDEX schedule_next_fire_idx ON schedule (next_fire_at);
