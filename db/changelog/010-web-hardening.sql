--liquibase formatted sql

--changeset ordinaut:010-audit-refusal-aggregation
-- Refused (401) calls are counted into one row per client address per minute instead of one row each,
-- so a flood of bad tokens cannot grow audit_log without bound.
ALTER TABLE audit_log ADD COLUMN client_address text;
ALTER TABLE audit_log ADD COLUMN repeat_count integer NOT NULL DEFAULT 1;
ALTER TABLE audit_log ADD COLUMN window_start timestamptz;
CREATE UNIQUE INDEX audit_log_refusal_window_idx ON audit_log (client_address, window_start) WHERE window_start IS NOT NULL;

--changeset ordinaut:010-retention-indexes
-- Retention deletes by age; these keep its scans off the whole table.
CREATE INDEX agent_token_ended_idx ON agent_token (COALESCE(revoked_at, expires_at));
CREATE INDEX missed_occurrence_recorded_idx ON missed_occurrence (recorded_at);
