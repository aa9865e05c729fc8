-- Issue 20 item 3 (ADR 0021): several named rate limits per key, each its own window, beside the single
-- rate_limit_per_minute (which keeps working as the limit named "key"). An array of {name, limit, windowSeconds};
-- the service validates names and bounds, the check only the shape and the count.
ALTER TABLE api_keys ADD COLUMN rate_limits jsonb NOT NULL DEFAULT '[]'
  CHECK (jsonb_typeof(rate_limits) = 'array' AND jsonb_array_length(rate_limits) <= 5);

-- Named limits set by an administrator are their restriction like the per-minute one (ADR 0009).
ALTER TABLE api_keys DROP CONSTRAINT api_keys_admin_restrictions_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_admin_restrictions_check
  CHECK (admin_restrictions <@ ARRAY['DISABLED', 'EXPIRES_AT', 'IP_ALLOWLIST', 'RATE_LIMIT', 'RATE_LIMITS']);

-- Read beside ks_key_by_hash in the same statement (its row is found before the organization is known, so row-level
-- security needs a definer here too); a function of its own so that ks_key_by_hash's column list stays untouched.
CREATE FUNCTION ks_key_rate_limits(p_org uuid, p_key uuid) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT k.rate_limits FROM api_keys k WHERE k.organization_id = p_org AND k.id = p_key
$$;
REVOKE ALL ON FUNCTION ks_key_rate_limits(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_key_rate_limits(uuid, uuid) TO ${appRole};

-- The exchange carries each limit's window: a named limit's counts are exchanged under an id derived from the key
-- and the limit's name (opaque like key ids), with its own window.
ALTER TABLE rate_limit_exchange ADD COLUMN window_seconds integer NOT NULL DEFAULT 60 CHECK (window_seconds > 0);
