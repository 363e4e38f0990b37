--liquibase formatted sql

--changeset ordinaut:024-task-paging splitStatements:false
-- GET /tasks at a million tasks (issue 15). Two costs grew with the table:
--
-- 1. The page. Newest first (created_at DESC, id) needs an index in that order for each filter the
--    query can lead with, or PostgreSQL sorts every matching row to return 50: no filter and
--    schedule_kind had none. status and created_by keep theirs (002): an incremental sort of the ties
--    on created_at is cheap.
CREATE INDEX task_created_idx ON task (created_at DESC, id);
CREATE INDEX task_kind_created_idx ON task (schedule_kind, created_at DESC, id);

-- 2. The total. count(*) over the matching rows read them all (a second per page at a million). The
--    counts per (status, schedule_kind, created_by) are kept in task_count instead, so a total sums a
--    few rows. Each statement that changes tasks appends one delta row per group it changed — inserts
--    only, so concurrent task changes never wait on a counter row — in its own transaction, so a total
--    read in any snapshot is exact. FoldTaskCounts (task package) folds the deltas into one row per
--    group now and then, keeping the rows a total reads few.
CREATE TABLE task_count (
    status        text    NOT NULL,
    schedule_kind text    NOT NULL,
    created_by    uuid    NOT NULL,
    n             bigint  NOT NULL
);
CREATE INDEX task_count_group_idx ON task_count (status, schedule_kind, created_by);
ALTER TABLE task_count SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.1);

INSERT INTO task_count (status, schedule_kind, created_by, n)
SELECT status, schedule_kind, created_by, count(*) FROM task GROUP BY 1, 2, 3;

CREATE FUNCTION task_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_count (status, schedule_kind, created_by, n)
    SELECT status, schedule_kind, created_by, count(*) FROM new_rows GROUP BY 1, 2, 3;
    RETURN NULL;
END $$;

-- Most updates (attach to a schedule, snooze, edit) move no task between groups: nothing is written.
CREATE FUNCTION task_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_count (status, schedule_kind, created_by, n)
    SELECT status, schedule_kind, created_by, sum(d)
      FROM (SELECT status, schedule_kind, created_by, 1 AS d FROM new_rows
            UNION ALL
            SELECT status, schedule_kind, created_by, -1 FROM old_rows) c
     GROUP BY 1, 2, 3
    HAVING sum(d) <> 0;
    RETURN NULL;
END $$;

CREATE FUNCTION task_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_count (status, schedule_kind, created_by, n)
    SELECT status, schedule_kind, created_by, -count(*) FROM old_rows GROUP BY 1, 2, 3;
    RETURN NULL;
END $$;

CREATE FUNCTION task_count_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM task_count;
    RETURN NULL;
END $$;

CREATE TRIGGER task_count_insert AFTER INSERT ON task REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION task_count_inserted();
CREATE TRIGGER task_count_update AFTER UPDATE ON task REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION task_count_updated();
CREATE TRIGGER task_count_delete AFTER DELETE ON task REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION task_count_deleted();
CREATE TRIGGER task_count_truncate AFTER TRUNCATE ON task
    FOR EACH STATEMENT EXECUTE FUNCTION task_count_truncated();
