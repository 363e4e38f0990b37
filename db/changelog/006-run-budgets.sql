--liquibase formatted sql

--changeset ordinaut:006-run-budgets
-- Runs started per agent per UTC day, for agents with a runs_per_day budget. One row per agent and day,
-- incremented atomically by whichever node starts a run, so the budget holds across the cluster.
CREATE TABLE agent_run_day (
    agent_id uuid NOT NULL,
    day      date NOT NULL,
    runs     integer NOT NULL,
    PRIMARY KEY (agent_id, day)
);
