-- Issue 21 item 1: passkeys (WebAuthn) as a second factor and as a passwordless sign-in (ADR 0016).

-- A user's registered passkeys. credential_id is the authenticator's id (unique across organizations: a passwordless
-- sign-in finds the organization through it); attested_credential_data is webauthn4j's serialisation of the
-- AAGUID, the credential id and the COSE public key (no secret: the private key never leaves the authenticator).
-- clone_warning_at: when a sign counter went backwards (a cloned authenticator); the passkey is refused from then on.
CREATE TABLE webauthn_credentials (
  organization_id          uuid NOT NULL,
  id                       uuid NOT NULL,
  user_id                  uuid NOT NULL,
  credential_id            bytea NOT NULL UNIQUE CHECK (octet_length(credential_id) BETWEEN 16 AND 1023),
  name                     text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  attested_credential_data bytea NOT NULL CHECK (octet_length(attested_credential_data) <= 4000),
  sign_count               bigint NOT NULL DEFAULT 0 CHECK (sign_count >= 0),
  uv_initialized           boolean NOT NULL DEFAULT false,
  backup_eligible          boolean NOT NULL DEFAULT false,
  backup_state             boolean NOT NULL DEFAULT false,
  discoverable             boolean,
  transports               text[] NOT NULL DEFAULT '{}' CHECK (cardinality(transports) <= 10),
  created_at               timestamptz NOT NULL DEFAULT now(),
  last_used_at             timestamptz,
  clone_warning_at         timestamptz,
  PRIMARY KEY (organization_id, id),
  FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id)
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (organization_id, user_id);

-- A ceremony in progress: the SHA-256 of its random challenge, what it is for, and what it is bound to (the session
-- for registration and step-up, the password-checked sign-in challenge for a second factor, nothing but the
-- challenge itself for a passwordless sign-in, where no organization is known yet). Taken once (deleted as read),
-- two minutes at most.
CREATE TABLE webauthn_challenges (
  challenge_hash   bytea PRIMARY KEY,
  organization_id  uuid,
  user_id          uuid,
  purpose          text NOT NULL CHECK (purpose IN ('register', 'second-factor', 'step-up', 'passwordless')),
  binding_hash     bytea,
  created_at       timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz NOT NULL,
  CHECK ((purpose = 'passwordless') = (organization_id IS NULL))
);
CREATE INDEX webauthn_challenges_expiry ON webauthn_challenges (expires_at);

ALTER TABLE webauthn_credentials ENABLE ROW LEVEL SECURITY;
ALTER TABLE webauthn_credentials FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webauthn_credentials
  USING (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid)
  WITH CHECK (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON webauthn_credentials TO ${appRole};

-- Ceremonies are begun and taken before an organization is known (passwordless, second factor), so the application
-- reaches them only through the two functions below; the table stays under the tenant policy and has no grant.
ALTER TABLE webauthn_challenges ENABLE ROW LEVEL SECURITY;
ALTER TABLE webauthn_challenges FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webauthn_challenges
  USING (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid)
  WITH CHECK (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid);

CREATE FUNCTION ks_webauthn_challenge_begin(p_challenge_hash bytea, p_organization uuid, p_user uuid, p_purpose text,
                                            p_binding bytea, p_expires timestamptz)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  DELETE FROM webauthn_challenges WHERE expires_at < now();
  INSERT INTO webauthn_challenges (challenge_hash, organization_id, user_id, purpose, binding_hash, expires_at)
  VALUES (p_challenge_hash, p_organization, p_user, p_purpose, p_binding, p_expires);
$$;

-- Takes a live ceremony once, only for its purpose and with what it was bound to (IS NOT DISTINCT FROM: passwordless
-- ones are bound to nothing).
CREATE FUNCTION ks_webauthn_challenge_take(p_challenge_hash bytea, p_purpose text, p_binding bytea)
RETURNS TABLE (organization_id uuid, user_id uuid)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  DELETE FROM webauthn_challenges c WHERE c.challenge_hash = p_challenge_hash AND c.purpose = p_purpose
     AND c.binding_hash IS NOT DISTINCT FROM p_binding AND c.expires_at > now()
  RETURNING c.organization_id, c.user_id
$$;

-- Passwordless: whose passkey this is, before the organization is known (only active users).
CREATE FUNCTION ks_webauthn_credential_owner(p_credential_id bytea)
RETURNS TABLE (organization_id uuid, user_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT w.organization_id, w.user_id
    FROM webauthn_credentials w JOIN users u ON u.organization_id = w.organization_id AND u.id = w.user_id
   WHERE w.credential_id = p_credential_id AND u.status = 'ACTIVE'
$$;

REVOKE ALL ON FUNCTION ks_webauthn_challenge_begin(bytea, uuid, uuid, text, bytea, timestamptz),
  ks_webauthn_challenge_take(bytea, text, bytea), ks_webauthn_credential_owner(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_webauthn_challenge_begin(bytea, uuid, uuid, text, bytea, timestamptz),
  ks_webauthn_challenge_take(bytea, text, bytea), ks_webauthn_credential_owner(bytea) TO ${appRole};

-- A passkey is a second factor too: the session's has_second_factor counts it (the rest as in V19).
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
                  WHERE f.organization_id = s.organization_id AND f.user_id = s.user_id AND f.secret IS NOT NULL)
         OR EXISTS (SELECT 1 FROM webauthn_credentials w
                     WHERE w.organization_id = s.organization_id AND w.user_id = s.user_id),
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
REVOKE ALL ON FUNCTION ks_session(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_session(bytea) TO ${appRole};
