-- An organization's default rate for keys without their own limit (instead of their API type's default).
ALTER TABLE organization_policies ADD COLUMN rate_limit_default_per_minute integer
  CHECK (rate_limit_default_per_minute BETWEEN 1 AND 10000000);

DROP FUNCTION ks_key_by_hash(bytea);
CREATE FUNCTION ks_key_by_hash(p_hash bytea)
RETURNS TABLE (organization_id uuid, key_id uuid, owner_user_id uuid, api_type text, status text, owner_status text,
               permission_mode text, key_permissions text[], key_field_rights jsonb, expires_at timestamptz,
               ip_allowlist text[], matched_version integer, grace_until timestamptz,
               owner_scope text, owner_field_rights jsonb, owner_permissions text[], owner_builtin text,
               rate_limit_per_minute integer, rate_limit_ceiling_per_minute integer,
               rate_limit_default_per_minute integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT k.organization_id, k.id, k.owner_user_id, k.api_type, k.status, u.status, k.permission_mode, k.permissions,
         k.field_rights, k.expires_at, k.ip_allowlist,
         CASE WHEN k.secret_hash = p_hash THEN k.secret_version ELSE k.previous_version END,
         CASE WHEN k.secret_hash = p_hash THEN NULL ELSE k.previous_valid_until END,
         a.record_scope, a.field_rights, a.permissions, a.builtin,
         k.rate_limit_per_minute, p.rate_limit_ceiling_per_minute, p.rate_limit_default_per_minute
    FROM api_keys k
    JOIN users u ON u.organization_id = k.organization_id AND u.id = k.owner_user_id
    JOIN access_levels a ON a.organization_id = u.organization_id AND a.id = u.access_level_id
    LEFT JOIN organization_policies p ON p.organization_id = k.organization_id
   WHERE k.secret_hash = p_hash OR (k.previous_hash = p_hash AND k.previous_valid_until > now())
$$;
REVOKE ALL ON FUNCTION ks_key_by_hash(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_key_by_hash(bytea) TO ${appRole};

-- Rate-limit counts exchanged between replicas: each replica's admitted total per key, rewritten about every second.
-- No organization column and no tenant data (opaque key ids and counts), so no row-level security: the limiter reads
-- every replica's recent rows in one statement. `since` restarts when a replica's count for the key restarts.
CREATE TABLE rate_limit_exchange (
  replica_id  uuid NOT NULL,
  key_id      uuid NOT NULL,
  per_minute  integer NOT NULL CHECK (per_minute > 0),
  admitted    bigint NOT NULL CHECK (admitted >= 0),
  generation  bigint NOT NULL,
  since       timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (replica_id, key_id)
);
CREATE INDEX rate_limit_exchange_recent ON rate_limit_exchange (updated_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limit_exchange TO ${appRole};

-- Minute buckets older than the retention are rolled up into hours (replicas merged), then hours are pruned by theirs.
CREATE TABLE key_usage_hours (
  organization_id uuid NOT NULL REFERENCES organizations(id),
  key_id          uuid NOT NULL,
  hour            timestamptz NOT NULL,
  operation       text NOT NULL,
  outcome         text NOT NULL CHECK (outcome IN ('ALLOWED', 'DENIED', 'RATE_LIMITED', 'INVALID')),
  count           bigint NOT NULL CHECK (count >= 0),
  PRIMARY KEY (organization_id, key_id, hour, operation, outcome)
);
CREATE INDEX key_usage_hours_by_time ON key_usage_hours (organization_id, hour);
ALTER TABLE key_usage_hours ENABLE ROW LEVEL SECURITY;
ALTER TABLE key_usage_hours FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON key_usage_hours
  USING (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid)
  WITH CHECK (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid);
GRANT SELECT ON key_usage_hours TO ${appRole};
CREATE INDEX key_usage_minutes_by_minute ON key_usage_minutes (minute);

-- The roll-up crosses organizations, so it runs as the owner (SECURITY DEFINER; the owner has BYPASSRLS or is a
-- superuser, see V2). One replica at a time: the others skip while the advisory lock is held. Returns rows moved.
CREATE FUNCTION ks_roll_up_usage(p_minutes_before timestamptz, p_hours_before timestamptz) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE moved bigint;
BEGIN
  IF NOT pg_try_advisory_xact_lock(7340182553601) THEN
    RETURN 0;
  END IF;
  WITH gone AS (
    DELETE FROM key_usage_minutes WHERE minute < date_trunc('hour', p_minutes_before)
    RETURNING organization_id, key_id, minute, operation, outcome, count
  ), merged AS (
    INSERT INTO key_usage_hours AS h (organization_id, key_id, hour, operation, outcome, count)
    SELECT organization_id, key_id, date_trunc('hour', minute), operation, outcome, sum(count)
      FROM gone GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (organization_id, key_id, hour, operation, outcome) DO UPDATE SET count = h.count + EXCLUDED.count
    RETURNING 1
  )
  SELECT count(*) INTO moved FROM gone;
  DELETE FROM key_usage_hours WHERE hour < p_hours_before;
  DELETE FROM rate_limit_exchange WHERE updated_at < now() - interval '10 minutes';
  RETURN moved;
END $$;
REVOKE ALL ON FUNCTION ks_roll_up_usage(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_roll_up_usage(timestamptz, timestamptz) TO ${appRole};
