--liquibase formatted sql

--changeset ordinaut:029-run-progress
-- How far a running attempt got — the output and trace of its finished steps, and the step it is in — as its
-- node last wrote it with a lease renewal (only when it changed). Should the node be lost, the node that
-- reclaims the run records that with the lost attempt instead of nothing. Null until a renewal has something
-- to write; cleared when the run is re-queued for another attempt. No index: only read with its row.
ALTER TABLE due_work ADD COLUMN progress jsonb;
