-- Issue 20 item 2 (ADR 0015): usage quotas. A table of their own, so that spending (a lease) never rewrites or
-- re-versions the key's row: a key change announces itself and drops every replica's cached verdicts, a lease must not.
-- Periods are calendar periods in UTC (ISO weeks from Monday); TOTAL never refills. Refill is lazy: the lease sees
-- that the period turned and starts from the limit. epoch grows with every set (from a sequence, so a quota removed
-- and set again never reuses one), so a replica's lease or give-back of an earlier setting is void.
CREATE SEQUENCE key_quota_epochs;
GRANT USAGE ON SEQUENCE key_quota_epochs TO ${appRole};
CREATE TABLE key_quotas (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  key_id          uuid PRIMARY KEY REFERENCES api_keys (id) ON DELETE CASCADE,
  quota_limit     bigint NOT NULL CHECK (quota_limit BETWEEN 1 AND 1000000000),
  period          text NOT NULL CHECK (period IN ('DAY', 'WEEK', 'MONTH', 'TOTAL')),
  remaining       bigint NOT NULL CHECK (remaining >= 0 AND remaining <= quota_limit),
  period_start    timestamptz NOT NULL,
  epoch           bigint NOT NULL DEFAULT nextval('key_quota_epochs')
);
CREATE INDEX key_quotas_by_org ON key_quotas (organization_id);
ALTER TABLE key_quotas ENABLE ROW LEVEL SECURITY;
ALTER TABLE key_quotas FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON key_quotas
  USING (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid)
  WITH CHECK (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON key_quotas TO ${appRole};

-- A quota set by an administrator is their restriction like a rate limit (ADR 0009).
ALTER TABLE api_keys DROP CONSTRAINT api_keys_admin_restrictions_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_admin_restrictions_check
  CHECK (admin_restrictions <@ ARRAY['DISABLED', 'EXPIRES_AT', 'IP_ALLOWLIST', 'RATE_LIMIT', 'RATE_LIMITS', 'QUOTA']);

-- The start of the period holding t (TOTAL: the epoch of time, so it never turns).
CREATE FUNCTION ks_quota_period_start(p_period text, t timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
  SELECT CASE p_period
    WHEN 'DAY' THEN date_trunc('day', t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
    WHEN 'WEEK' THEN date_trunc('week', t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
    WHEN 'MONTH' THEN date_trunc('month', t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
    ELSE '-infinity'::timestamptz END
$$;

-- The start of the period after the one starting at s (TOTAL: none).
CREATE FUNCTION ks_quota_next_start(p_period text, s timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
  SELECT CASE p_period
    WHEN 'DAY' THEN ((s AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC'
    WHEN 'WEEK' THEN ((s AT TIME ZONE 'UTC') + interval '1 week') AT TIME ZONE 'UTC'
    WHEN 'MONTH' THEN ((s AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC'
    END
$$;
GRANT EXECUTE ON FUNCTION ks_quota_period_start(text, timestamptz) TO ${appRole};
GRANT EXECUTE ON FUNCTION ks_quota_next_start(text, timestamptz) TO ${appRole};

-- The key's quota setting for the verifier, read beside ks_key_by_hash (before the organization is known).
CREATE FUNCTION ks_key_quota(p_org uuid, p_key uuid) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT jsonb_build_object('limit', q.quota_limit, 'period', q.period, 'epoch', q.epoch)
  FROM key_quotas q WHERE q.organization_id = p_org AND q.key_id = p_key
$$;
REVOKE ALL ON FUNCTION ks_key_quota(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_key_quota(uuid, uuid) TO ${appRole};

-- A replica's lease: at most p_want of what is left, under the row lock, refilled first when the period turned
-- (the database's clock decides, so replicas' clocks do not). Answers nothing for a key without a quota.
CREATE FUNCTION ks_quota_lease(p_org uuid, p_key uuid, p_want bigint)
RETURNS TABLE (granted bigint, left_over bigint, period_started timestamptz, resets_at timestamptz, quota_epoch bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  q key_quotas%ROWTYPE;
  s timestamptz;
  available bigint;
  g bigint;
BEGIN
  SELECT * INTO q FROM key_quotas k WHERE k.organization_id = p_org AND k.key_id = p_key FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  s := ks_quota_period_start(q.period, now());
  available := CASE WHEN q.period <> 'TOTAL' AND q.period_start < s THEN q.quota_limit ELSE q.remaining END;
  g := LEAST(GREATEST(p_want, 0), available);
  UPDATE key_quotas k SET remaining = available - g,
    period_start = CASE WHEN q.period = 'TOTAL' THEN k.period_start ELSE s END
    WHERE k.organization_id = p_org AND k.key_id = p_key;
  RETURN QUERY SELECT g, available - g, CASE WHEN q.period = 'TOTAL' THEN q.period_start ELSE s END,
    ks_quota_next_start(q.period, s), q.epoch;
END
$$;
REVOKE ALL ON FUNCTION ks_quota_lease(uuid, uuid, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_quota_lease(uuid, uuid, bigint) TO ${appRole};

-- What a replica leased and did not spend, returned (idle or on a graceful stop): only into the same setting and
-- period it was leased from, never above the limit.
CREATE FUNCTION ks_quota_give_back(p_org uuid, p_key uuid, p_amount bigint, p_epoch bigint, p_period_start timestamptz)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  UPDATE key_quotas k SET remaining = LEAST(k.quota_limit, k.remaining + GREATEST(p_amount, 0))
  WHERE k.organization_id = p_org AND k.key_id = p_key AND k.epoch = p_epoch AND k.period_start = p_period_start
$$;
REVOKE ALL ON FUNCTION ks_quota_give_back(uuid, uuid, bigint, bigint, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_quota_give_back(uuid, uuid, bigint, bigint, timestamptz) TO ${appRole};
