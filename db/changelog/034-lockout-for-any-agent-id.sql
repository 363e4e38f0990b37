--liquibase formatted sql

--changeset ordinaut:034-lockout-for-any-agent-id
-- Wrong secrets are counted per client address and presented agent id whether or not such an agent exists
-- (or has a secret). Counted only for existing agents, the lockout told which ids exist: an existing id
-- answered 429 after five wrong secrets, an unknown one 401 forever, though the 401s themselves say the
-- same for both. So the row no longer refers to an agent. Rows for ids that are no agent's are never
-- deleted by a right secret or a rotation: io.ordinaut.audit.PruneRecords deletes every row idle for a day
-- (its lockout long over), using the index below.
ALTER TABLE credential_failure DROP CONSTRAINT credential_failure_agent_id_fkey;
CREATE INDEX credential_failure_last_failed_idx ON credential_failure (last_failed_at);
