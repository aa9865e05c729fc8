-- Issue 21: a passkey that may have been copied (user.passkey-clone-warning) and an admin's reset of a user's second
-- factors (user.second-factors-reset) are e-mailed too. ks_mail_claim already sends to details->>'ownerUserId' (the
-- user concerned, which both events now carry) and the holders of keys:manage-all. The body is V16's, with the two
-- actions added to the mail list; the trigger keeps pointing at the function, so only the function is replaced.
CREATE OR REPLACE FUNCTION ks_audit_to_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE body jsonb;
BEGIN
  body := jsonb_build_object(
    'type', NEW.action,
    'timestamp', to_char(NEW.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'data', jsonb_strip_nulls(jsonb_build_object(
      'eventId', NEW.id::text,
      'organizationId', NEW.organization_id,
      'actorUserId', NEW.actor_user_id,
      'actorLabel', NEW.actor_label,
      'targetType', NEW.target_type,
      'targetId', NEW.target_id,
      'details', NEW.details)));
  INSERT INTO webhook_deliveries (organization_id, endpoint_id, event_id, event_type, payload)
  SELECT e.organization_id, e.id, 'evt_' || NEW.id, NEW.action, body
    FROM webhook_endpoints e
   WHERE e.organization_id = NEW.organization_id AND e.status = 'ACTIVE' AND NEW.action = ANY (e.event_types);
  IF FOUND THEN
    PERFORM pg_notify('keysmith_webhooks', '');  -- delivered at COMMIT only: wakes the workers at once
  END IF;
  IF NEW.action IN ('key.expiring', 'key.expired', 'key.unused', 'key.leaked', 'webhook-endpoint.disabled',
                    'credential.approval_requested', 'user.passkey-clone-warning', 'user.second-factors-reset') THEN
    INSERT INTO mail_outbox (organization_id, audit_event_id) VALUES (NEW.organization_id, NEW.id);
  END IF;
  RETURN NULL;
END $$;
