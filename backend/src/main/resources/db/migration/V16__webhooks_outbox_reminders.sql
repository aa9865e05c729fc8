-- Issue 19: signed webhooks through a transactional outbox, in-app notifications, expiry and idle-key reminders
-- (ADR 0013). The outbox is fed by a trigger on audit_events: every state change already writes its audit event in
-- its own transaction, so the delivery rows commit (or roll back) with the change, whichever feature wrote it.

-- An organization's receiving endpoint. The secret signs (Standard Webhooks); it is shown once when created or
-- rotated. During a rotation's overlap the previous secret signs too (previous_secret_until).
CREATE TABLE webhook_endpoints (
  organization_id      uuid NOT NULL REFERENCES organizations(id),
  id                   uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  url                  text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
  description          text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
  event_types          text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 100),
  status               text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'DISABLED')),
  -- MANUAL: an admin disabled it; FAILING: deliveries failed for longer than the server's limit
  disabled_reason      text CHECK (disabled_reason IN ('MANUAL', 'FAILING')),
  secret               text NOT NULL,
  previous_secret      text,
  previous_secret_until timestamptz,
  failing_since        timestamptz,
  created_by           uuid NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, id)
);
CREATE INDEX webhook_endpoints_listing ON webhook_endpoints (organization_id, created_at, id);

-- The outbox: one row per (event, endpoint). A worker claims due rows with FOR UPDATE SKIP LOCKED and pushes
-- next_attempt_at past its lease while it delivers, so a worker killed mid-delivery leaves the row due again.
CREATE TABLE webhook_deliveries (
  organization_id  uuid NOT NULL,
  id               uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  endpoint_id      uuid NOT NULL,
  event_id         text NOT NULL,          -- the webhook-id header: the same on every retry and replay
  event_type       text NOT NULL,
  payload          jsonb NOT NULL,
  status           text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_status_code integer,
  last_latency_ms  integer,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  delivered_at     timestamptz,
  FOREIGN KEY (organization_id, endpoint_id) REFERENCES webhook_endpoints (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (organization_id, endpoint_id, created_at DESC, id);

-- Every attempt of a delivery: the delivery log's detail (status code, latency, error).
CREATE TABLE webhook_attempts (
  organization_id uuid NOT NULL,
  delivery_id     uuid NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  attempt         integer NOT NULL,
  attempted_at    timestamptz NOT NULL DEFAULT now(),
  status_code     integer,
  latency_ms      integer,
  error           text CHECK (length(error) <= 500),
  PRIMARY KEY (delivery_id, attempt)
);

-- In-app notifications are audit events read through a per-user marker: no second store to keep in step.
CREATE TABLE notification_reads (
  organization_id uuid NOT NULL,
  user_id         uuid NOT NULL,
  last_read_id    bigint NOT NULL,
  PRIMARY KEY (organization_id, user_id),
  FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id)
);

-- E-mails to send for audit events (reminders, leaks, disabled endpoints...), fed by the same trigger.
CREATE TABLE mail_outbox (
  organization_id uuid NOT NULL,
  audit_event_id  bigint NOT NULL PRIMARY KEY,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  attempts        integer NOT NULL DEFAULT 0
);

-- Days without use after which a key is reported unused (key.unused), per organization.
ALTER TABLE organization_policies ADD COLUMN unused_key_days integer NOT NULL DEFAULT 90
  CHECK (unused_key_days BETWEEN 1 AND 3650);

-- The reminders' de-duplication looks up earlier reminder events of a key.
CREATE INDEX audit_events_reminders ON audit_events (organization_id, target_id, action)
  WHERE action IN ('key.expiring', 'key.expired', 'key.unused');

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['webhook_endpoints', 'webhook_deliveries', 'webhook_attempts', 'notification_reads',
                           'mail_outbox'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (organization_id = NULLIF(current_setting(''app.organization_id'', true), '''')::uuid) '
                   'WITH CHECK (organization_id = NULLIF(current_setting(''app.organization_id'', true), '''')::uuid)', t);
  END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints TO ${appRole};
GRANT SELECT, INSERT, UPDATE ON webhook_deliveries TO ${appRole};
GRANT SELECT ON webhook_attempts TO ${appRole};
GRANT SELECT, INSERT, UPDATE ON notification_reads TO ${appRole};
GRANT INSERT ON mail_outbox TO ${appRole};

-- The outbox feed. Runs as the inserting role, inside the transaction of the change, under its organization.
-- The body follows Standard Webhooks' recommended shape {type, timestamp, data}; the source address is left out.
CREATE FUNCTION ks_audit_to_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
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
                    'credential.approval_requested') THEN
    INSERT INTO mail_outbox (organization_id, audit_event_id) VALUES (NEW.organization_id, NEW.id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER audit_events_outbox AFTER INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION ks_audit_to_outbox();

-- The workers cross organizations, so claiming and recording run as the owner (SECURITY DEFINER, as
-- ks_roll_up_usage). Claim: due rows of active endpoints, locked rows skipped (another replica has them), leased for
-- p_lease_seconds by moving next_attempt_at.
CREATE FUNCTION ks_webhook_claim(p_limit integer, p_lease_seconds integer)
RETURNS TABLE (id uuid, organization_id uuid, endpoint_id uuid, event_id text, event_type text, payload jsonb,
               attempts integer, created_at timestamptz, url text, secret text, previous_secret text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  WITH due AS (
    SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
     WHERE d.status = 'PENDING' AND d.next_attempt_at <= now() AND e.status = 'ACTIVE'
     ORDER BY d.next_attempt_at
     LIMIT p_limit
       FOR UPDATE OF d SKIP LOCKED)
  UPDATE webhook_deliveries d
     SET next_attempt_at = now() + make_interval(secs => p_lease_seconds), attempts = d.attempts + 1
    FROM due, webhook_endpoints e
   WHERE d.id = due.id AND e.id = d.endpoint_id
  RETURNING d.id, d.organization_id, d.endpoint_id, d.event_id, d.event_type, d.payload, d.attempts, d.created_at,
            e.url, e.secret,
            CASE WHEN e.previous_secret_until > now() THEN e.previous_secret END
$$;
REVOKE ALL ON FUNCTION ks_webhook_claim(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_webhook_claim(integer, integer) TO ${appRole};

-- Records one attempt. p_retry_at NULL on a failure: given up (FAILED). An endpoint failing for longer than
-- p_disable_after_seconds is disabled and an audit event tells its organization's admins (notifications, e-mail).
-- Answers true when this call disabled the endpoint.
CREATE FUNCTION ks_webhook_record(p_id uuid, p_attempt integer, p_ok boolean, p_status integer, p_latency integer,
                                  p_error text, p_retry_at timestamptz, p_disable_after_seconds integer)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE org uuid; ep uuid; since timestamptz; disabled boolean := false;
BEGIN
  UPDATE webhook_deliveries
     SET status = CASE WHEN p_ok THEN 'DELIVERED' WHEN p_retry_at IS NULL THEN 'FAILED' ELSE 'PENDING' END,
         next_attempt_at = coalesce(p_retry_at, next_attempt_at),
         last_status_code = p_status, last_latency_ms = p_latency, last_error = left(p_error, 500),
         delivered_at = CASE WHEN p_ok THEN now() END
   WHERE id = p_id AND status = 'PENDING'
  RETURNING organization_id, endpoint_id INTO org, ep;
  IF org IS NULL THEN
    RETURN false;  -- delivered meanwhile by a worker whose lease this one outlived, or the endpoint was deleted
  END IF;
  INSERT INTO webhook_attempts (organization_id, delivery_id, attempt, status_code, latency_ms, error)
  VALUES (org, p_id, p_attempt, p_status, p_latency, left(p_error, 500)) ON CONFLICT DO NOTHING;
  IF p_ok THEN
    UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ep AND failing_since IS NOT NULL;
  ELSE
    UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, now()) WHERE id = ep
    RETURNING failing_since INTO since;
    IF since < now() - make_interval(secs => p_disable_after_seconds) THEN
      UPDATE webhook_endpoints SET status = 'DISABLED', disabled_reason = 'FAILING', updated_at = now()
       WHERE id = ep AND status = 'ACTIVE';
      IF FOUND THEN
        disabled := true;
        INSERT INTO audit_events (organization_id, actor_label, action, target_type, target_id, details)
        SELECT organization_id, 'system', 'webhook-endpoint.disabled', 'webhook-endpoint', id::text,
               jsonb_build_object('reason', 'FAILING', 'failingSince', since,
                                  'name', coalesce(substring(url FROM '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]+'), '(endpoint)'))
          FROM webhook_endpoints WHERE id = ep;
      END IF;
    END IF;
  END IF;
  RETURN disabled;
END $$;
REVOKE ALL ON FUNCTION ks_webhook_record(uuid, integer, boolean, integer, integer, text, timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_webhook_record(uuid, integer, boolean, integer, integer, text, timestamptz, integer)
  TO ${appRole};

-- The outbox depth for the metrics: pending deliveries of active endpoints, and the age of the oldest due one.
CREATE FUNCTION ks_webhook_depth(OUT pending bigint, OUT oldest_seconds double precision)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT count(*), coalesce(extract(epoch FROM now() - min(d.created_at)), 0)::double precision
    FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
   WHERE d.status = 'PENDING' AND e.status = 'ACTIVE'
$$;
REVOKE ALL ON FUNCTION ks_webhook_depth() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_webhook_depth() TO ${appRole};

-- The reminders: expiring in 7 days and in 1 day, expired (within the last 7 days: an old expiry is not news), and
-- unused for the organization's unused_key_days. Each at most once per key and window (an unused reminder again
-- only after a later use). Written as audit events, so the outbox trigger turns them into webhooks and e-mails.
-- Runs as the owner (crosses organizations) under the caller's advisory lock; answers the number raised.
CREATE FUNCTION ks_raise_key_reminders() RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE n bigint; total bigint := 0; w record;
BEGIN
  FOR w IN SELECT * FROM (VALUES ('7d', interval '7 days'), ('1d', interval '1 day')) AS v(name, ahead) LOOP
    INSERT INTO audit_events (organization_id, actor_label, action, target_type, target_id, details)
    SELECT k.organization_id, 'system', 'key.expiring', 'api-key', k.id::text,
           jsonb_build_object('name', k.name, 'window', w.name, 'expiresAt', k.expires_at,
                              'ownerUserId', k.owner_user_id)
      FROM api_keys k
     WHERE k.status = 'ACTIVE' AND k.expires_at > now() AND k.expires_at <= now() + w.ahead
       AND NOT EXISTS (SELECT 1 FROM audit_events a
                        WHERE a.organization_id = k.organization_id AND a.target_id = k.id::text
                          AND a.action = 'key.expiring' AND a.details->>'window' = w.name
                          AND a.details->'expiresAt' = to_jsonb(k.expires_at));
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;
  END LOOP;
  INSERT INTO audit_events (organization_id, actor_label, action, target_type, target_id, details)
  SELECT k.organization_id, 'system', 'key.expired', 'api-key', k.id::text,
         jsonb_build_object('name', k.name, 'expiresAt', k.expires_at, 'ownerUserId', k.owner_user_id)
    FROM api_keys k
   WHERE k.status = 'ACTIVE' AND k.expires_at <= now() AND k.expires_at > now() - interval '7 days'
     AND NOT EXISTS (SELECT 1 FROM audit_events a
                      WHERE a.organization_id = k.organization_id AND a.target_id = k.id::text
                        AND a.action = 'key.expired' AND a.details->'expiresAt' = to_jsonb(k.expires_at));
  GET DIAGNOSTICS n = ROW_COUNT;
  total := total + n;
  INSERT INTO audit_events (organization_id, actor_label, action, target_type, target_id, details)
  SELECT k.organization_id, 'system', 'key.unused', 'api-key', k.id::text,
         jsonb_build_object('name', k.name, 'days', coalesce(p.unused_key_days, 90),
                            'lastUsedAt', k.last_used_at, 'ownerUserId', k.owner_user_id)
    FROM api_keys k
    LEFT JOIN organization_policies p ON p.organization_id = k.organization_id
   WHERE k.status = 'ACTIVE' AND (k.expires_at IS NULL OR k.expires_at > now())
     AND coalesce(k.last_used_at, k.created_at) < now() - make_interval(days => coalesce(p.unused_key_days, 90))
     AND NOT EXISTS (SELECT 1 FROM audit_events a
                      WHERE a.organization_id = k.organization_id AND a.target_id = k.id::text
                        AND a.action = 'key.unused' AND a.occurred_at > coalesce(k.last_used_at, k.created_at));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN total + n;
END $$;
REVOKE ALL ON FUNCTION ks_raise_key_reminders() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_raise_key_reminders() TO ${appRole};

-- Mail: claim due rows across organizations with the event and its recipients' addresses (the key's owner for
-- the owner's own key events; the organization's credential admins for the others). Leased like deliveries.
CREATE FUNCTION ks_mail_claim(p_limit integer, p_lease_seconds integer)
RETURNS TABLE (audit_event_id bigint, organization_id uuid, action text, target_id text, details jsonb,
               attempts integer, recipients text[])
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  WITH due AS (
    SELECT m.audit_event_id FROM mail_outbox m WHERE m.next_attempt_at <= now()
     ORDER BY m.next_attempt_at LIMIT p_limit FOR UPDATE SKIP LOCKED),
  claimed AS (
    UPDATE mail_outbox m SET next_attempt_at = now() + make_interval(secs => p_lease_seconds),
                             attempts = m.attempts + 1
      FROM due WHERE m.audit_event_id = due.audit_event_id
    RETURNING m.audit_event_id, m.organization_id, m.attempts)
  SELECT c.audit_event_id, c.organization_id, a.action, a.target_id, a.details, c.attempts,
         ARRAY(SELECT DISTINCT u.email FROM users u
                 LEFT JOIN access_levels l ON l.organization_id = u.organization_id AND l.id = u.access_level_id
                WHERE u.organization_id = c.organization_id AND u.status = 'ACTIVE'
                  AND (u.id::text = a.details->>'ownerUserId' OR 'keys:manage-all' = ANY (l.permissions))
                ORDER BY u.email)
    FROM claimed c JOIN audit_events a ON a.id = c.audit_event_id
$$;
REVOKE ALL ON FUNCTION ks_mail_claim(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_mail_claim(integer, integer) TO ${appRole};

CREATE FUNCTION ks_mail_done(p_audit_event_id bigint) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  DELETE FROM mail_outbox WHERE audit_event_id = p_audit_event_id
$$;
REVOKE ALL ON FUNCTION ks_mail_done(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_mail_done(bigint) TO ${appRole};
