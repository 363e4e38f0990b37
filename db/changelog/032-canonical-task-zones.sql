--liquibase formatted sql

--changeset ordinaut:032-canonical-task-zones
-- Zones were accepted in any letter case but stored as given (europe/paris). The API now stores the
-- canonical IANA spelling; this brings older rows to it. It matters beyond looks: a run's context reads
-- task.timezone with ZoneId.of, which is case-sensitive, so such a task's runs failed. (schedule.timezone
-- was always written canonical, from the compiled schedule.) pg_timezone_names spells the IANA names as
-- the JDK does; a name it does not know is left as it is, for the node to report.
UPDATE task t
   SET timezone = z.name
  FROM (SELECT lower(name) AS lower_name, min(name) AS name FROM pg_timezone_names GROUP BY lower(name)) z
 WHERE z.lower_name = lower(btrim(t.timezone))
   AND t.timezone <> z.name;
