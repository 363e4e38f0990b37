--liquibase formatted sql

--changeset ordinaut:007-tool-hardening
-- Tools have an owner: only the agent that registered (or discovered) a tool, or an admin, may change,
-- delete or re-discover over it. Tools registered before this change have none and are admin-only.
ALTER TABLE tool ADD COLUMN created_by uuid REFERENCES agent (id) ON DELETE SET NULL;
-- Set by POST /tools/discover when the MCP server no longer lists the tool; a gone tool stays visible
-- but new calls of it fail with a clear error. Cleared when a later discovery lists it again.
ALTER TABLE tool ADD COLUMN gone_at timestamptz;
