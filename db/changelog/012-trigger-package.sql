--liquibase formatted sql

--changeset ordinaut:012-trigger-package
-- The Quartz side moved from io.ordinaut.scheduler to io.ordinaut.trigger; Quartz keeps the job's class
-- name in its own table, so a database from an earlier version must name the new class.
UPDATE qrtz_job_details SET job_class_name = replace(job_class_name, 'io.ordinaut.scheduler.', 'io.ordinaut.trigger.')
 WHERE job_class_name LIKE 'io.ordinaut.scheduler.%';
