--liquibase formatted sql

--changeset ordinaut:017-scheduler-control
-- The cluster-wide scheduler switch (POST /admin/scheduler/standby|start?cluster=true, io.ordinaut.admin):
-- one row. Every scheduler node polls it every second. standby: every node keeps its Quartz in standby,
-- and a node starting meanwhile stays in standby. generation counts the cluster commands, so a node
-- obeys each one once (a cluster start also starts a node that was put in standby on its own).
CREATE TABLE scheduler_control (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    standby    boolean NOT NULL DEFAULT false,
    generation bigint NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT now(),
    changed_by uuid
);
INSERT INTO scheduler_control DEFAULT VALUES;
