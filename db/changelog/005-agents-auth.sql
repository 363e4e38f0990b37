--liquibase formatted sql

--changeset ordinaut:005-agents-auth
-- Agents authenticate with a secret (stored only as a BCrypt hash) and then use opaque bearer tokens
-- (stored only as SHA-256 hashes). Keeping tokens in PostgreSQL makes revocation immediate on every node.

ALTER TABLE agent
    ADD COLUMN api_calls_per_hour integer CHECK (api_calls_per_hour > 0),
    ADD COLUMN runs_per_day integer CHECK (runs_per_day > 0),
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

CREATE TABLE agent_credential (
    agent_id        uuid PRIMARY KEY REFERENCES agent (id) ON DELETE CASCADE,
    secret_hash     text NOT NULL,
    failed_attempts integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agent_token (
    token_hash  text PRIMARY KEY,
    agent_id    uuid NOT NULL REFERENCES agent (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('access', 'refresh', 'bootstrap')),
    -- An access token and the refresh token issued with it share a family; revoking one revokes both.
    family      uuid NOT NULL,
    expires_at  timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_token_agent_idx ON agent_token (agent_id);
CREATE INDEX agent_token_family_idx ON agent_token (family);

-- Fixed-window request counters, shared by every node so limits hold cluster-wide.
CREATE TABLE rate_window (
    agent_id     uuid NOT NULL,
    granularity  text NOT NULL,
    window_start timestamptz NOT NULL,
    count        integer NOT NULL,
    PRIMARY KEY (agent_id, granularity, window_start)
);

ALTER TABLE audit_log
    ADD COLUMN method text,
    ADD COLUMN path   text,
    ADD COLUMN status integer;
CREATE INDEX audit_log_actor_idx ON audit_log (actor, at DESC);
