--liquibase formatted sql

--changeset ordinaut:028-webhook-follows-agent splitStatements:false
-- A pending webhook delivery belongs to the agent's webhook as it is now, not as it was when the run ended:
-- DeliverWebhooks reads the agent's webhook_url and secret at every attempt. This trigger makes a change
-- visible at once instead of at each delivery's next attempt (up to 5 min of backoff away):
--   - webhook_url removed: the pending deliveries end as 'canceled', with the reason, and are never sent;
--   - webhook_url changed: they show the new url and are due now (their backoff was the old receiver's).
-- Rows an attempt holds right now (FOR UPDATE in DeliverWebhooks, for as long as the POST takes) are
-- skipped rather than waited for, so PUT /agents never waits on a slow receiver; that attempt's next one
-- reads the agent again and does the same.
ALTER TABLE webhook_delivery DROP CONSTRAINT webhook_delivery_status_check;
ALTER TABLE webhook_delivery ADD CONSTRAINT webhook_delivery_status_check
    CHECK (status IN ('pending', 'delivered', 'failed', 'canceled'));
CREATE INDEX webhook_delivery_pending_agent_idx ON webhook_delivery (agent_id) WHERE status = 'pending';

CREATE FUNCTION webhook_delivery_follow_agent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.webhook_url IS NULL THEN
        UPDATE webhook_delivery d
           SET status = 'canceled', next_at = now(), last_error = 'canceled: the agent''s webhook_url was removed'
          FROM (SELECT outbox_id FROM webhook_delivery WHERE agent_id = NEW.id AND status = 'pending'
                FOR UPDATE SKIP LOCKED) p
         WHERE d.agent_id = NEW.id AND d.outbox_id = p.outbox_id;
    ELSE
        UPDATE webhook_delivery d
           SET url = NEW.webhook_url, next_at = least(d.next_at, now())
          FROM (SELECT outbox_id FROM webhook_delivery WHERE agent_id = NEW.id AND status = 'pending'
                FOR UPDATE SKIP LOCKED) p
         WHERE d.agent_id = NEW.id AND d.outbox_id = p.outbox_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER agent_webhook_deliveries AFTER UPDATE OF webhook_url ON agent
    FOR EACH ROW WHEN (OLD.webhook_url IS DISTINCT FROM NEW.webhook_url)
    EXECUTE FUNCTION webhook_delivery_follow_agent();
