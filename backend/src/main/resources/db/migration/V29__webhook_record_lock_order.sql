-- Recording an attempt took the delivery's row lock and then the endpoint's, while deleting an endpoint takes the
-- endpoint's and then (cascading) its deliveries': the two deadlocked (a 500 on delete). Same function, endpoint first.
CREATE OR REPLACE FUNCTION ks_webhook_record(p_id uuid, p_attempt integer, p_ok boolean, p_status integer, p_latency integer,
                                  p_error text, p_retry_at timestamptz, p_disable_after_seconds integer)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE org uuid; ep uuid; since timestamptz; disabled boolean := false;
BEGIN
  -- the endpoint's row first, then the delivery's: the order of the endpoint's delete (and of every change to an
  -- endpoint), so the two wait for each other instead of deadlocking
  SELECT d.endpoint_id INTO ep FROM webhook_deliveries d WHERE d.id = p_id;
  IF ep IS NULL THEN
    RETURN false;  -- the endpoint was deleted, and its deliveries with it
  END IF;
  PERFORM 1 FROM webhook_endpoints WHERE id = ep FOR NO KEY UPDATE;
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
