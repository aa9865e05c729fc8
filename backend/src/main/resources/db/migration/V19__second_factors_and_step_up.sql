-- Second factors (TOTP, recovery codes), the organization's sign-in policy, sign-in challenges between the password
-- and the second factor, and how each session was authenticated (amr, RFC 8176) and when (step-up, "sudo mode").

-- One TOTP secret per user, encrypted with a key derived from the server secret (AES-GCM; secret_version names the
-- server secret's version). A new enrolment is pending until a code confirms it; the confirmed secret stays in use
-- until then. last_step: the newest time step accepted, so each code works once.
CREATE TABLE totp_factors (
  organization_id        uuid NOT NULL,
  user_id                uuid NOT NULL,
  secret                 bytea,
  secret_version         integer,
  confirmed_at           timestamptz,
  pending_secret         bytea,
  pending_secret_version integer,
  pending_since          timestamptz,
  last_step              bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (organization_id, user_id),
  FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id),
  CHECK ((secret IS NULL) = (confirmed_at IS NULL)),
  CHECK (octet_length(secret) <= 200 AND octet_length(pending_secret) <= 200)
);

-- One-time recovery codes: only their SHA-256 (codes carry 80 random bits); a used code is deleted.
CREATE TABLE recovery_codes (
  organization_id uuid NOT NULL,
  user_id         uuid NOT NULL,
  code_hash       bytea NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, user_id, code_hash),
  FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id)
);

-- Who must have a second factor, and how fresh an authentication credential and access-level changes need.
CREATE TABLE sign_in_policies (
  organization_id            uuid PRIMARY KEY REFERENCES organizations(id),
  second_factor_required_for text NOT NULL DEFAULT 'NOBODY'
                             CHECK (second_factor_required_for IN ('NOBODY', 'ADMINS', 'EVERYONE')),
  step_up_minutes            integer NOT NULL DEFAULT 10 CHECK (step_up_minutes BETWEEN 1 AND 720),
  step_up_password_allowed   boolean NOT NULL DEFAULT true,
  version                    bigint NOT NULL DEFAULT 1,
  updated_at                 timestamptz NOT NULL DEFAULT now()
);

-- A password was right and a second factor is owed: the challenge (by the SHA-256 of its token) lives minutes.
CREATE TABLE sign_in_challenges (
  id_hash         bytea PRIMARY KEY,
  organization_id uuid NOT NULL,
  user_id         uuid NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id)
);
CREATE INDEX sign_in_challenges_user ON sign_in_challenges (organization_id, user_id);

ALTER TABLE sessions ADD COLUMN amr text[] NOT NULL DEFAULT ARRAY['pwd'],
                     ADD COLUMN authenticated_at timestamptz NOT NULL DEFAULT now();

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['totp_factors', 'recovery_codes', 'sign_in_policies', 'sign_in_challenges'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (organization_id = NULLIF(current_setting(''app.organization_id'', true), '''')::uuid) '
                   'WITH CHECK (organization_id = NULLIF(current_setting(''app.organization_id'', true), '''')::uuid)', t);
  END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON totp_factors, recovery_codes, sign_in_challenges TO ${appRole};
GRANT SELECT, INSERT, UPDATE ON sign_in_policies TO ${appRole};

-- A sign-in challenge by the hash of its token, before the organization is known.
CREATE FUNCTION ks_sign_in_challenge(p_id_hash bytea)
RETURNS TABLE (organization_id uuid, user_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT c.organization_id, c.user_id
    FROM sign_in_challenges c JOIN users u ON u.organization_id = c.organization_id AND u.id = c.user_id
   WHERE c.id_hash = p_id_hash AND c.expires_at > now() AND u.status = 'ACTIVE'
$$;

-- The session now also says how and when it was authenticated, the organization's step-up rules, whether its user
-- has a second factor, and whether the policy requires one of them (then the session may only enrol one).
DROP FUNCTION ks_session(bytea);
CREATE FUNCTION ks_session(p_id_hash bytea)
RETURNS TABLE (organization_id uuid, user_id uuid, access_level_id uuid, builtin text, record_scope text,
               field_rights jsonb, permissions text[], created_at timestamptz, last_seen_at timestamptz,
               expires_at timestamptz, amr text[], authenticated_at timestamptz, step_up_minutes integer,
               step_up_password_allowed boolean, has_second_factor boolean, second_factor_required boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT s.organization_id, s.user_id, a.id, a.builtin, a.record_scope, a.field_rights, a.permissions,
         s.created_at, s.last_seen_at, s.expires_at, s.amr, s.authenticated_at,
         coalesce(p.step_up_minutes, 10), coalesce(p.step_up_password_allowed, true),
         EXISTS (SELECT 1 FROM totp_factors f
                  WHERE f.organization_id = s.organization_id AND f.user_id = s.user_id AND f.secret IS NOT NULL),
         CASE coalesce(p.second_factor_required_for, 'NOBODY')
           WHEN 'EVERYONE' THEN true
           WHEN 'ADMINS' THEN a.builtin IN ('ACCOUNT_OWNER', 'FULL_ADMIN')
                              OR a.permissions && ARRAY['keys:manage-all', 'users:manage', 'access-levels:manage']
           ELSE false END
    FROM sessions s
    JOIN users u ON u.organization_id = s.organization_id AND u.id = s.user_id
    JOIN access_levels a ON a.organization_id = u.organization_id AND a.id = u.access_level_id
    LEFT JOIN sign_in_policies p ON p.organization_id = s.organization_id
   WHERE s.id_hash = p_id_hash AND u.status = 'ACTIVE' AND s.expires_at > now()
$$;
REVOKE ALL ON FUNCTION ks_session(bytea), ks_sign_in_challenge(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_session(bytea), ks_sign_in_challenge(bytea) TO ${appRole};
