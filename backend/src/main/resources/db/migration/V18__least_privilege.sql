-- Least privilege from observed usage (issue 20 item 5, ADR 0013).

-- Day roll-up of key usage: what the least-privilege report reads for the part of its window that is no longer kept
-- by the minute (30 days of 1,000 keys is ~24x fewer rows than hours). Filled by the same roll-up that moves minutes
-- into hours, from the same deleted rows, so minutes + days never count a request twice. last_at: the latest minute
-- with a count, so "last used" keeps minute precision after the roll-up.
CREATE TABLE key_usage_days (
  organization_id uuid NOT NULL REFERENCES organizations(id),
  key_id          uuid NOT NULL,
  day             date NOT NULL,
  operation       text NOT NULL,
  outcome         text NOT NULL CHECK (outcome IN ('ALLOWED', 'DENIED', 'RATE_LIMITED', 'INVALID')),
  count           bigint NOT NULL CHECK (count >= 0),
  last_at         timestamptz NOT NULL,
  PRIMARY KEY (organization_id, key_id, day, operation, outcome)
);
CREATE INDEX key_usage_days_by_day ON key_usage_days (organization_id, day);
ALTER TABLE key_usage_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE key_usage_days FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON key_usage_days
  USING (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid)
  WITH CHECK (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid);
GRANT SELECT ON key_usage_days TO ${appRole};

-- What is already rolled up (hours) goes into days once; hour precision is all that is left of it.
INSERT INTO key_usage_days (organization_id, key_id, day, operation, outcome, count, last_at)
SELECT organization_id, key_id, (hour AT TIME ZONE 'UTC')::date, operation, outcome, sum(count), max(hour)
  FROM key_usage_hours GROUP BY 1, 2, 3, 4, 5;

-- The roll-up of V7, now also into days (same statement, same deleted rows); days are pruned with hours.
CREATE OR REPLACE FUNCTION ks_roll_up_usage(p_minutes_before timestamptz, p_hours_before timestamptz) RETURNS bigint
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
  ), days AS (
    INSERT INTO key_usage_days AS d (organization_id, key_id, day, operation, outcome, count, last_at)
    SELECT organization_id, key_id, (minute AT TIME ZONE 'UTC')::date, operation, outcome, sum(count),
           max(minute) FILTER (WHERE count > 0)
      FROM gone GROUP BY 1, 2, 3, 4, 5 HAVING sum(count) > 0
    ON CONFLICT (organization_id, key_id, day, operation, outcome)
      DO UPDATE SET count = d.count + EXCLUDED.count, last_at = greatest(d.last_at, EXCLUDED.last_at)
    RETURNING 1
  )
  SELECT count(*) INTO moved FROM gone;
  DELETE FROM key_usage_hours WHERE hour < p_hours_before;
  DELETE FROM key_usage_days WHERE day < (p_hours_before AT TIME ZONE 'UTC')::date;
  DELETE FROM rate_limit_exchange WHERE updated_at < now() - interval '10 minutes';
  RETURN moved;
END $$;
REVOKE ALL ON FUNCTION ks_roll_up_usage(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_roll_up_usage(timestamptz, timestamptz) TO ${appRole};

-- "Reduce to what it used": each click keeps the key's stored rights from before, so "undo" restores them exactly.
-- result_*: what the reduction set; an undo is refused once the key's rights are no longer those (changed since).
CREATE TABLE key_rights_reductions (
  id                       uuid PRIMARY KEY,
  organization_id          uuid NOT NULL REFERENCES organizations(id),
  key_id                   uuid NOT NULL,
  reduced_at               timestamptz NOT NULL DEFAULT now(),
  reduced_by               uuid NOT NULL,
  window_days              integer NOT NULL CHECK (window_days BETWEEN 1 AND 400),
  previous_mode            text NOT NULL CHECK (previous_mode IN ('INHERIT', 'SCOPED')),
  previous_permissions     text[] NOT NULL,
  previous_field_rights    jsonb,
  result_permissions       text[] NOT NULL,
  result_field_rights      jsonb,
  undone_at                timestamptz,
  undone_by                uuid,
  FOREIGN KEY (organization_id, key_id) REFERENCES api_keys (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX key_rights_reductions_by_key ON key_rights_reductions (organization_id, key_id, reduced_at DESC);
ALTER TABLE key_rights_reductions ENABLE ROW LEVEL SECURITY;
ALTER TABLE key_rights_reductions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON key_rights_reductions
  USING (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid)
  WITH CHECK (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON key_rights_reductions TO ${appRole};
