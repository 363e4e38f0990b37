--liquibase formatted sql

--changeset ordinaut:030-event-id-per-publisher
-- A caller-given event_id is an idempotency key of its publisher, not a global name: two agents may use the
-- same event_id and each gets an event of its own. As a global key, an agent could take an id another agent
-- was going to use (its publish then failed with 409) and learn from the 409 which ids others had used.
-- The outbox and the Redis streams never keyed on the event id (outbox.id/seq number every entry), so
-- they stay unique; their entries name the publisher next to the event_id.
ALTER TABLE event DROP CONSTRAINT event_pkey;
ALTER TABLE event ADD PRIMARY KEY (published_by, id);
-- An admin reads any publisher's event by id (GET /events/{id}).
CREATE INDEX event_id_idx ON event (id);
