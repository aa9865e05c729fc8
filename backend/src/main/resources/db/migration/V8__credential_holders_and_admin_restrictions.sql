-- Who may grant what (ADR 0009). A key's secret is held by whoever last received it from the server (its creator or
-- last rotator) or last handed the key on (transfer); when that person is not the owner, the key is also bounded,
-- live, by the holder's rights. Restrictions an admin set on someone else's key (disable, expiry, IP allowlist) are
-- recorded, so that only an admin can lift them.

ALTER TABLE api_keys ADD COLUMN secret_holder_user_id uuid;
UPDATE api_keys SET secret_holder_user_id = created_by;
ALTER TABLE api_keys ALTER COLUMN secret_holder_user_id SET NOT NULL;
ALTER TABLE api_keys ADD FOREIGN KEY (organization_id, secret_holder_user_id) REFERENCES users (organization_id, id);
CREATE INDEX api_keys_holder ON api_keys (organization_id, secret_holder_user_id);
-- A key's first holder is its creator: inserts that name no holder (bulk loads, bench/keys-scale.sh) get that.
CREATE FUNCTION ks_default_secret_holder() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.secret_holder_user_id := COALESCE(NEW.secret_holder_user_id, NEW.created_by);
  RETURN NEW;
END $$;
CREATE TRIGGER api_keys_default_holder BEFORE INSERT ON api_keys FOR EACH ROW EXECUTE FUNCTION ks_default_secret_holder();

-- Restrictions set by someone other than the owner: 'DISABLED', 'EXPIRES_AT', 'IP_ALLOWLIST'.
ALTER TABLE api_keys ADD COLUMN admin_restrictions text[] NOT NULL DEFAULT '{}'
  CHECK (admin_restrictions <@ ARRAY['DISABLED', 'EXPIRES_AT', 'IP_ALLOWLIST']);
ALTER TABLE api_keys ADD COLUMN disabled_by uuid;
ALTER TABLE api_keys ADD FOREIGN KEY (organization_id, disabled_by) REFERENCES users (organization_id, id);

-- Backfill from the audit log: a key disabled by someone other than its owner stays an admin's disable; expiry and
-- allowlist set at creation by someone other than the owner are the creator's.
UPDATE api_keys k SET disabled_by = e.actor_user_id
  FROM (SELECT DISTINCT ON (organization_id, target_id) organization_id, target_id, actor_user_id
          FROM audit_events WHERE action = 'api-key.disabled' AND target_type = 'api-key'
         ORDER BY organization_id, target_id, id DESC) e
 WHERE k.status = 'DISABLED' AND e.organization_id = k.organization_id AND e.target_id = k.id::text
   AND EXISTS (SELECT 1 FROM users u WHERE u.organization_id = k.organization_id AND u.id = e.actor_user_id);
UPDATE api_keys SET admin_restrictions = admin_restrictions || ARRAY['DISABLED']
 WHERE disabled_by IS NOT NULL AND disabled_by <> owner_user_id;
UPDATE api_keys SET admin_restrictions = admin_restrictions || ARRAY['EXPIRES_AT']
 WHERE expires_at IS NOT NULL AND created_by <> owner_user_id;
UPDATE api_keys SET admin_restrictions = admin_restrictions || ARRAY['IP_ALLOWLIST']
 WHERE cardinality(ip_allowlist) > 0 AND created_by <> owner_user_id;

-- The verification lookup gains the holder and the holder's live rights (every earlier column kept, same names).
DROP FUNCTION ks_key_by_hash(bytea);
CREATE FUNCTION ks_key_by_hash(p_hash bytea)
RETURNS TABLE (organization_id uuid, key_id uuid, owner_user_id uuid, api_type text, status text, owner_status text,
               permission_mode text, key_permissions text[], key_field_rights jsonb, expires_at timestamptz,
               ip_allowlist text[], matched_version integer, grace_until timestamptz,
               owner_scope text, owner_field_rights jsonb, owner_permissions text[], owner_builtin text,
               rate_limit_per_minute integer, rate_limit_ceiling_per_minute integer,
               rate_limit_default_per_minute integer,
               holder_user_id uuid, holder_status text, holder_scope text, holder_field_rights jsonb,
               holder_permissions text[], holder_builtin text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT k.organization_id, k.id, k.owner_user_id, k.api_type, k.status, u.status, k.permission_mode, k.permissions,
         k.field_rights, k.expires_at, k.ip_allowlist,
         CASE WHEN k.secret_hash = p_hash THEN k.secret_version ELSE k.previous_version END,
         CASE WHEN k.secret_hash = p_hash THEN NULL ELSE k.previous_valid_until END,
         a.record_scope, a.field_rights, a.permissions, a.builtin,
         k.rate_limit_per_minute, p.rate_limit_ceiling_per_minute, p.rate_limit_default_per_minute,
         k.secret_holder_user_id, h.status, ha.record_scope, ha.field_rights, ha.permissions, ha.builtin
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

-- The holder is a user of the key's organization: a change of their status or level bumps users.version or
-- access_levels.version, whose triggers (V5) already announce the whole organization. Nothing to add here.
