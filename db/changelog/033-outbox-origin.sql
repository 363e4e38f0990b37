--liquibase formatted sql

--changeset ordinaut:033-outbox-origin
-- Which database an outbox belongs to. The relay keeps, beside each Redis stream, the outbox_id it has
-- appended up to, and skips entries at or below it (a timed-out append that Redis ran late must not be
-- appended twice). That position means something only for the outbox it came from: a new database (a
-- fresh install, a test, a reset) numbers its outbox from 1 again and must not be skipped against another
-- database's position. A dump and restore keeps this row, and with it the numbering it belongs to.
CREATE TABLE outbox_origin (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO outbox_origin DEFAULT VALUES;
