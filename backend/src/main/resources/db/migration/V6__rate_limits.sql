-- Rate limits: an organization-wide ceiling per key, and the key lookup returns what the limiter needs.
ALTER TABLE organization_policies ADD COLUMN rate_limit_ceiling_per_minute integer
  CHECK (rate_limit_ceiling_per_minute BETWEEN 1 AND 10000000);

DROP FUNCTION ks_key_by_hash(bytea);
CREATE FUNCTION ks_key_by_hash(p_hash bytea)
RETURNS TABLE (organization_id uuid, key_id uuid, owner_user_id uuid, api_type text, status text, owner_status text,
               permission_mode text, key_permissions text[], key_field_rights jsonb, expires_at timestamptz,
               ip_allowlist text[], matched_version integer, grace_until timestamptz,
               owner_scope text, owner_field_rights jsonb, owner_permissions text[], owner_builtin text,
               rate_limit_per_minute integer, rate_limit_ceiling_per_minute integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT k.organization_id, k.id, k.owner_user_id, k.api_type, k.status, u.status, k.permission_mode, k.permissions,
         k.field_rights, k.expires_at, k.ip_allowlist,
         CASE WHEN k.secret_hash = p_hash THEN k.secret_version ELSE k.previous_version END,
         CASE WHEN k.secret_hash = p_hash THEN NULL ELSE k.previous_valid_until END,
         a.record_scope, a.field_rights, a.permissions, a.builtin,
         k.rate_limit_per_minute, p.rate_limit_ceiling_per_minute
    FROM api_keys k
    JOIN users u ON u.organization_id = k.organization_id AND u.id = k.owner_user_id
    JOIN access_levels a ON a.organization_id = u.organization_id AND a.id = u.access_level_id
    LEFT JOIN organization_policies p ON p.organization_id = k.organization_id
   WHERE k.secret_hash = p_hash OR (k.previous_hash = p_hash AND k.previous_valid_until > now())
$$;
REVOKE ALL ON FUNCTION ks_key_by_hash(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_key_by_hash(bytea) TO ${appRole};

-- A policy change alters every key's limit: announce it like any other key change.
CREATE TRIGGER organization_policies_changed AFTER INSERT OR UPDATE ON organization_policies FOR EACH ROW
  EXECUTE FUNCTION ks_notify_key_change();
