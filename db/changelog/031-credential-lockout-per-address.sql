--liquibase formatted sql

--changeset ordinaut:031-credential-lockout-per-address
-- Wrong secrets are counted per agent and client address, not per agent: agent ids are no secret (every
-- agent sees them), so a count per agent let anyone lock any agent out of POST /agents/auth/token with a
-- few wrong secrets. Guessing from one address is slowed by its lockout here; guessing from many by the
-- per-address budget before authentication (web.AnonymousRateFilter). A row lives while its address keeps
-- failing: a right secret from that address deletes it, and io.ordinaut.agent.Credentials deletes an
-- agent's rows idle for a day whenever that agent gets another failure.
CREATE TABLE credential_failure (
    agent_id        uuid NOT NULL REFERENCES agent (id) ON DELETE CASCADE,
    client_address  text NOT NULL,
    failed_attempts integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    last_failed_at  timestamptz NOT NULL,
    PRIMARY KEY (agent_id, client_address)
);
ALTER TABLE agent_credential DROP COLUMN failed_attempts, DROP COLUMN locked_until;
