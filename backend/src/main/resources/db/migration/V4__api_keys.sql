-- API keys, the partner directory and organization key policies.

CREATE TABLE partners (
  organization_id uuid REFERENCES organizations(id),   -- NULL: a platform-wide entry, seen by every organization
  id              uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  website         text,
  contact         text,
  usual_permissions text[] NOT NULL DEFAULT '{}',
  usual_field_rights jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX partners_name ON partners (coalesce(organization_id, '00000000-0000-0000-0000-000000000000'), lower(name));

CREATE TABLE organization_policies (
  organization_id    uuid PRIMARY KEY REFERENCES organizations(id),
  max_key_lifetime_days integer CHECK (max_key_lifetime_days BETWEEN 1 AND 3650),
  expiry_required    boolean NOT NULL DEFAULT false,
  allowed_ip_ranges  text[] NOT NULL DEFAULT '{}',
  updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  organization_id   uuid NOT NULL REFERENCES organizations(id),
  id                uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  owner_user_id     uuid NOT NULL,
  created_by        uuid NOT NULL,
  name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  description       text NOT NULL DEFAULT '',
  api_type          text NOT NULL,
  partner_id        uuid REFERENCES partners(id),
  status            text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'DISABLED', 'REVOKED')),
  permission_mode   text NOT NULL CHECK (permission_mode IN ('INHERIT', 'SCOPED')),
  permissions       text[] NOT NULL DEFAULT '{}',
  field_rights      jsonb NOT NULL DEFAULT '{}'::jsonb,
  expires_at        timestamptz,
  ip_allowlist      text[] NOT NULL DEFAULT '{}',
  rate_limit_per_minute integer,
  secret_hash       bytea NOT NULL UNIQUE,
  secret_version    integer NOT NULL,
  hint              text NOT NULL,
  previous_hash     bytea UNIQUE,
  previous_version  integer,
  previous_valid_until timestamptz,
  last_used_at      timestamptz,
  version           bigint NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, id),
  FOREIGN KEY (organization_id, owner_user_id) REFERENCES users (organization_id, id),
  FOREIGN KEY (organization_id, created_by) REFERENCES users (organization_id, id)
);
CREATE INDEX api_keys_owner ON api_keys (organization_id, owner_user_id, created_at, id);
CREATE INDEX api_keys_listing ON api_keys (organization_id, created_at, id);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
  USING (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid)
  WITH CHECK (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid);
ALTER TABLE organization_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE organization_policies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organization_policies
  USING (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid)
  WITH CHECK (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid);
-- Partners: the organization's own entries, plus the platform-wide ones (read-only for organizations).
ALTER TABLE partners ENABLE ROW LEVEL SECURITY;
ALTER TABLE partners FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON partners FOR SELECT
  USING (organization_id IS NULL OR organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid);
CREATE POLICY tenant_write ON partners FOR INSERT
  WITH CHECK (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid);
CREATE POLICY tenant_change ON partners FOR UPDATE
  USING (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid);
CREATE POLICY tenant_delete ON partners FOR DELETE
  USING (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid);

GRANT SELECT, INSERT, UPDATE ON api_keys TO ${appRole};
GRANT SELECT, INSERT, UPDATE, DELETE ON partners TO ${appRole};
GRANT SELECT, INSERT, UPDATE ON organization_policies TO ${appRole};

-- Verification before the organization is known: a key by the hash of its secret (current, or the previous one
-- within its rotation grace), with its owner's status and current rights.
CREATE FUNCTION ks_key_by_hash(p_hash bytea)
RETURNS TABLE (organization_id uuid, key_id uuid, owner_user_id uuid, api_type text, status text, owner_status text,
               permission_mode text, key_permissions text[], key_field_rights jsonb, expires_at timestamptz,
               ip_allowlist text[], matched_version integer, grace_until timestamptz,
               owner_scope text, owner_field_rights jsonb, owner_permissions text[], owner_builtin text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT k.organization_id, k.id, k.owner_user_id, k.api_type, k.status, u.status, k.permission_mode, k.permissions,
         k.field_rights, k.expires_at, k.ip_allowlist,
         CASE WHEN k.secret_hash = p_hash THEN k.secret_version ELSE k.previous_version END,
         CASE WHEN k.secret_hash = p_hash THEN NULL ELSE k.previous_valid_until END,
         a.record_scope, a.field_rights, a.permissions, a.builtin
    FROM api_keys k
    JOIN users u ON u.organization_id = k.organization_id AND u.id = k.owner_user_id
    JOIN access_levels a ON a.organization_id = u.organization_id AND a.id = u.access_level_id
   WHERE k.secret_hash = p_hash OR (k.previous_hash = p_hash AND k.previous_valid_until > now())
$$;
REVOKE ALL ON FUNCTION ks_key_by_hash(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_key_by_hash(bytea) TO ${appRole};

-- Every change that can alter what a key may do is announced in its own transaction (delivered at COMMIT, never
-- on rollback), so every replica drops its cached verdicts for that organization.
CREATE FUNCTION ks_notify_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('keysmith_keys', COALESCE(NEW.organization_id, OLD.organization_id)::text);
  RETURN NULL;
END $$;
CREATE TRIGGER api_keys_changed AFTER UPDATE OR DELETE ON api_keys FOR EACH ROW EXECUTE FUNCTION ks_notify_key_change();
CREATE TRIGGER users_changed AFTER UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION ks_notify_key_change();
CREATE TRIGGER access_levels_changed AFTER UPDATE OR DELETE ON access_levels FOR EACH ROW EXECUTE FUNCTION ks_notify_key_change();

-- Platform-wide partners every organization can pick (configurable later; a sensible starting directory).
INSERT INTO partners (organization_id, name, website, usual_permissions, usual_field_rights) VALUES
  (NULL, 'Payroll provider', 'https://payroll.example', ARRAY['people:read'],
   '{"firstName":"VIEW","lastName":"VIEW","workEmail":"VIEW","department":"VIEW","employmentStatus":"VIEW","salary":"VIEW","hireDate":"VIEW"}'),
  (NULL, 'Benefits platform', 'https://benefits.example', ARRAY['people:read'],
   '{"firstName":"VIEW","lastName":"VIEW","workEmail":"VIEW","dateOfBirth":"VIEW","homeAddress":"VIEW","employmentStatus":"VIEW"}'),
  (NULL, 'Security information and event management', 'https://siem.example', ARRAY['audit:read'], '{}');
