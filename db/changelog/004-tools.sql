--liquibase formatted sql

--changeset ordinaut:004-tools
-- The tool catalog: what a pipeline step's "uses" address calls. Addresses not listed here are
-- simulated unless ordinaut.tools.reject-unknown-tools is set. Headers hold only references to
-- environment variables (env:NAME): secrets are read from the environment at call time, never stored.
CREATE TABLE tool (
    address         text PRIMARY KEY CHECK (address ~ '^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$'),
    transport       text NOT NULL CHECK (transport IN ('http', 'mcp', 'simulate')),
    endpoint        text,
    description     text,
    input_schema    jsonb CHECK (input_schema IS NULL OR jsonb_typeof(input_schema) = 'object'),
    output_schema   jsonb CHECK (output_schema IS NULL OR jsonb_typeof(output_schema) = 'object'),
    scopes          text[] NOT NULL DEFAULT '{}',
    timeout_seconds integer NOT NULL DEFAULT 30 CHECK (timeout_seconds BETWEEN 1 AND 3600),
    headers         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(headers) = 'object'),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT tool_endpoint_ck CHECK ((transport = 'simulate') = (endpoint IS NULL))
);
