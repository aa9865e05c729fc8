-- Organizations, users, sessions, invitations, audit events and sign-in throttling.
-- Every organization-owned table carries organization_id and is protected by row-level security (ENABLE + FORCE)
-- with the policy below; the application role ${appRole} sees only the organization set in its transaction.

CREATE TABLE organizations (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  organization_id uuid NOT NULL REFERENCES organizations(id),
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  email           text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  first_name      text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
  last_name       text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
  kind            text NOT NULL CHECK (kind IN ('EMPLOYEE', 'NON_EMPLOYEE')),
  access_level    text NOT NULL CHECK (access_level IN ('ACCOUNT_OWNER', 'FULL_ADMIN', 'EMPLOYEE')),
  status          text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'DEACTIVATED')),
  password_hash   text,
  version         bigint NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id),
  UNIQUE (organization_id, id)
);
CREATE UNIQUE INDEX users_email_per_org ON users (organization_id, lower(email));
CREATE INDEX users_email ON users (lower(email));
CREATE INDEX users_listing ON users (organization_id, created_at, id);

CREATE TABLE sessions (
  id_hash         bytea PRIMARY KEY,
  organization_id uuid NOT NULL,
  user_id         uuid NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_seen_at    timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id)
);
CREATE INDEX sessions_user ON sessions (organization_id, user_id);

CREATE TABLE invitations (
  token_hash      bytea PRIMARY KEY,
  organization_id uuid NOT NULL,
  user_id         uuid NOT NULL,
  purpose         text NOT NULL CHECK (purpose IN ('INVITATION', 'PASSWORD_RESET')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  used_at         timestamptz,
  FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id)
);
CREATE INDEX invitations_user ON invitations (organization_id, user_id);

CREATE TABLE audit_events (
  organization_id uuid NOT NULL REFERENCES organizations(id),
  id              bigint GENERATED ALWAYS AS IDENTITY,
  occurred_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_user_id   uuid,
  actor_label     text,
  action          text NOT NULL,
  target_type     text,
  target_id       text,
  source_address  text,
  details         jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (id)
);
CREATE INDEX audit_events_listing ON audit_events (organization_id, id DESC);

-- Append-only, enforced by the database as well as by the absence of an API: no UPDATE or DELETE, ever.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- Sign-in throttling shared by every replica: fixed windows per key ("account:<email>", "address:<ip>").
CREATE TABLE sign_in_attempts (
  throttle_key   text PRIMARY KEY,
  window_start   timestamptz NOT NULL,
  failures       integer NOT NULL
);

-- Row-level security on every organization-owned table.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'sessions', 'invitations', 'audit_events'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (organization_id = NULLIF(current_setting(''app.organization_id'', true), '''')::uuid) '
                   'WITH CHECK (organization_id = NULLIF(current_setting(''app.organization_id'', true), '''')::uuid)', t);
  END LOOP;
END $$;
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organizations
  USING (id = NULLIF(current_setting('app.organization_id', true), '')::uuid)
  WITH CHECK (id = NULLIF(current_setting('app.organization_id', true), '')::uuid);

GRANT SELECT, UPDATE ON organizations TO ${appRole};
GRANT SELECT, INSERT, UPDATE ON users TO ${appRole};
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO ${appRole};
GRANT SELECT, INSERT, UPDATE ON invitations TO ${appRole};
GRANT SELECT, INSERT ON audit_events TO ${appRole};
GRANT SELECT, INSERT, UPDATE, DELETE ON sign_in_attempts TO ${appRole};

-- Narrow lookups made before the organization is known. SECURITY DEFINER, owned by the migrating owner (which
-- must have BYPASSRLS or be a superuser: a definer without it sees nothing under FORCE), with a pinned search_path.

-- Sign-in: every active membership of an e-mail with its password hash; the server checks the password first
-- and only then shows the organizations.
CREATE FUNCTION ks_sign_in_candidates(p_email text)
RETURNS TABLE (organization_id uuid, organization_name text, user_id uuid, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT u.organization_id, o.name, u.id, u.password_hash
    FROM users u JOIN organizations o ON o.id = u.organization_id
   WHERE lower(u.email) = lower(p_email) AND u.status = 'ACTIVE' AND u.password_hash IS NOT NULL
   ORDER BY o.name, o.id
$$;

-- A session by the hash of its id: only live sessions of active users.
CREATE FUNCTION ks_session(p_id_hash bytea)
RETURNS TABLE (organization_id uuid, user_id uuid, access_level text, created_at timestamptz,
               last_seen_at timestamptz, expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT s.organization_id, s.user_id, u.access_level, s.created_at, s.last_seen_at, s.expires_at
    FROM sessions s JOIN users u ON u.organization_id = s.organization_id AND u.id = s.user_id
   WHERE s.id_hash = p_id_hash AND u.status = 'ACTIVE' AND s.expires_at > now()
$$;

-- An unused, unexpired invitation or reset token by its hash.
CREATE FUNCTION ks_invitation(p_token_hash bytea)
RETURNS TABLE (organization_id uuid, user_id uuid, purpose text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT i.organization_id, i.user_id, i.purpose
    FROM invitations i JOIN users u ON u.organization_id = i.organization_id AND u.id = i.user_id
   WHERE i.token_hash = p_token_hash AND i.used_at IS NULL AND i.expires_at > now() AND u.status = 'ACTIVE'
$$;

-- Sign-up: a new organization (its id is needed before any tenant can be set).
CREATE FUNCTION ks_create_organization(p_name text) RETURNS uuid
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  INSERT INTO organizations (name) VALUES (p_name) RETURNING id
$$;

REVOKE ALL ON FUNCTION ks_sign_in_candidates(text), ks_session(bytea), ks_invitation(bytea),
  ks_create_organization(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_sign_in_candidates(text), ks_session(bytea), ks_invitation(bytea),
  ks_create_organization(text) TO ${appRole};
