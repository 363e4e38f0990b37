--liquibase formatted sql

--changeset ordinaut:038-audit-agent-refusal-windows
-- An agent over its budget is refused 429 at the rate it sends, so those refusals are counted into one row per
-- agent and minute, as anonymous 401s are per client address: a flood must not grow audit_log without bound.
-- The address windows become anonymous only, so an agent's window and an anonymous one from the same address
-- in the same minute stay apart.
DROP INDEX audit_log_refusal_window_idx;
CREATE UNIQUE INDEX audit_log_refusal_window_idx ON audit_log (client_address, window_start)
    WHERE window_start IS NOT NULL AND actor IS NULL;
CREATE UNIQUE INDEX audit_log_agent_refusal_window_idx ON audit_log (actor, window_start)
    WHERE window_start IS NOT NULL AND actor IS NOT NULL;
