-- Governance (issue 20): approval of credentials by an organization policy, and metadata per key.

-- A key the policy holds for approval is PENDING_APPROVAL: it authenticates nothing until another credential
-- administrator approves it (ACTIVE) or denies it (REVOKED, with a reason).
ALTER TABLE api_keys DROP CONSTRAINT api_keys_status_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_status_check
  CHECK (status IN ('ACTIVE', 'DISABLED', 'REVOKED', 'PENDING_APPROVAL'));
ALTER TABLE api_keys
  ADD COLUMN approval_reasons text[] NOT NULL DEFAULT '{}'
    CHECK (approval_reasons <@ ARRAY['API_TYPE', 'PERMISSION', 'OWNER_NOT_ADMIN']),
  ADD COLUMN approval_requested_by uuid,
  ADD COLUMN approval_requested_at timestamptz,
  ADD COLUMN approval_decided_by uuid,
  ADD COLUMN approval_decided_at timestamptz,
  ADD COLUMN approval_denial_reason text CHECK (length(approval_denial_reason) <= 500),
  -- what gateways receive with a verdict; never read by any authorization decision. The service holds it to 1 KB
  -- of compact JSON; this is the backstop (jsonb's text form spaces it out).
  ADD COLUMN metadata jsonb CHECK (metadata IS NULL OR (jsonb_typeof(metadata) = 'object' AND octet_length(metadata::text) <= 4096));
CREATE INDEX api_keys_pending ON api_keys (organization_id, approval_requested_at) WHERE status = 'PENDING_APPROVAL';

-- Which keys need approval: by API type, by permission (a key that would hold any of them), or when the owner does
-- not manage all credentials. Empty lists and false: no approval (the seeds' behaviour).
ALTER TABLE organization_policies
  ADD COLUMN approval_api_types text[] NOT NULL DEFAULT '{}',
  ADD COLUMN approval_permissions text[] NOT NULL DEFAULT '{}',
  ADD COLUMN approval_owner_not_admin boolean NOT NULL DEFAULT false;

-- The verification lookup (V8) plus the key's metadata, so verify and forward-auth answer it from the cached verdict.
DROP FUNCTION ks_key_by_hash(bytea);
CREATE FUNCTION ks_key_by_hash(p_hash bytea)
RETURNS TABLE (organization_id uuid, key_id uuid, owner_user_id uuid, api_type text, status text, owner_status text,
               permission_mode text, key_permissions text[], key_field_rights jsonb, expires_at timestamptz,
               ip_allowlist text[], matched_version integer, grace_until timestamptz,
               owner_scope text, owner_field_rights jsonb, owner_permissions text[], owner_builtin text,
               rate_limit_per_minute integer, rate_limit_ceiling_per_minute integer,
               rate_limit_default_per_minute integer,
               holder_user_id uuid, holder_status text, holder_scope text, holder_field_rights jsonb,
               holder_permissions text[], holder_builtin text, metadata jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT k.organization_id, k.id, k.owner_user_id, k.api_type, k.status, u.status, k.permission_mode, k.permissions,
         k.field_rights, k.expires_at, k.ip_allowlist,
         CASE WHEN k.secret_hash = p_hash THEN k.secret_version ELSE k.previous_version END,
         CASE WHEN k.secret_hash = p_hash THEN NULL ELSE k.previous_valid_until END,
         a.record_scope, a.field_rights, a.permissions, a.builtin,
         k.rate_limit_per_minute, p.rate_limit_ceiling_per_minute, p.rate_limit_default_per_minute,
         k.secret_holder_user_id, h.status, ha.record_scope, ha.field_rights, ha.permissions, ha.builtin,
         k.metadata
    FROM api_keys k
    JOIN users u ON u.organization_id = k.organization_id AND u.id = k.owner_user_id
    JOIN access_levels a ON a.organization_id = u.organization_id AND a.id = u.access_level_id
    JOIN users h ON h.organization_id = k.organization_id AND h.id = k.secret_holder_user_id
    JOIN access_levels ha ON ha.organization_id = h.organization_id AND ha.id = h.access_level_id
    LEFT JOIN organization_policies p ON p.organization_id = k.organization_id
   WHERE k.secret_hash = p_hash OR (k.previous_hash = p_hash AND k.previous_valid_until > now())
$$;
REVOKE ALL ON FUNCTION ks_key_by_hash(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_key_by_hash(bytea) TO ${appRole};
