-- Issue 21 item 5: OpenID Connect single sign-on per organization.

-- One configuration per organization, set by its admin. The client secret is stored sealed (JWE dir + A256GCM under
-- a key derived from the server secret; the JWE's kid names the secret's version), never in the clear.
CREATE TABLE sso_configurations (
  organization_id      uuid PRIMARY KEY REFERENCES organizations(id),
  enabled              boolean NOT NULL DEFAULT false,
  issuer               text NOT NULL CHECK (length(issuer) BETWEEN 8 AND 500),
  client_id            text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 500),
  client_secret_sealed text NOT NULL CHECK (length(client_secret_sealed) <= 4000),
  allowed_domains      text[] NOT NULL CHECK (cardinality(allowed_domains) BETWEEN 1 AND 50),
  jit_enabled          boolean NOT NULL DEFAULT false,
  jit_access_level_id  uuid,
  sso_required         boolean NOT NULL DEFAULT false,
  break_glass_user_id  uuid,
  version              bigint NOT NULL DEFAULT 1,
  updated_at           timestamptz NOT NULL DEFAULT now(),
  -- a deleted level or user falls back to the defaults (Employee; no break-glass, so SSO stops being required)
  FOREIGN KEY (organization_id, jit_access_level_id) REFERENCES access_levels (organization_id, id)
    ON DELETE SET NULL (jit_access_level_id),
  FOREIGN KEY (organization_id, break_glass_user_id) REFERENCES users (organization_id, id)
    ON DELETE SET NULL (break_glass_user_id)
);
CREATE INDEX sso_configurations_domains ON sso_configurations USING gin (allowed_domains);

-- Which IdP account (issuer + subject) is which user: linked on the first SSO sign-in by the verified e-mail, then
-- found by subject, so a later e-mail change at the IdP does not move the sign-in to another user.
CREATE TABLE sso_identities (
  organization_id uuid NOT NULL,
  issuer          text NOT NULL CHECK (length(issuer) <= 500),
  subject         text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
  user_id         uuid NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, issuer, subject),
  FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id)
);
CREATE INDEX sso_identities_user ON sso_identities (organization_id, user_id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['sso_configurations', 'sso_identities'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (organization_id = NULLIF(current_setting(''app.organization_id'', true), '''')::uuid) '
                   'WITH CHECK (organization_id = NULLIF(current_setting(''app.organization_id'', true), '''')::uuid)', t);
  END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE ON sso_configurations TO ${appRole};
GRANT SELECT, INSERT ON sso_identities TO ${appRole};

-- A sign-in in progress, between "start" and the IdP's redirect back: found by the SHA-256 of its state and bound to
-- the browser that started it (code_challenge = S256 of the PKCE verifier, which only that browser's HttpOnly cookie
-- holds). Deleted when used (a replayed state finds nothing) and after ten minutes. Not organization-owned: the
-- callback does not know the organization before it finds the row. Holds no secret.
CREATE TABLE sso_login_states (
  state_hash      bytea PRIMARY KEY,
  organization_id uuid NOT NULL,
  nonce           text NOT NULL CHECK (length(nonce) <= 100),
  code_challenge  text NOT NULL CHECK (length(code_challenge) <= 100),
  source_address  text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL
);
CREATE INDEX sso_login_states_expiry ON sso_login_states (expires_at);
-- Sign-ins in progress are read before any organization is known (the callback has only the state), so the
-- application reaches them only through the two functions below; the table itself stays under the tenant policy.
ALTER TABLE sso_login_states ENABLE ROW LEVEL SECURITY;
ALTER TABLE sso_login_states FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sso_login_states
  USING (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid)
  WITH CHECK (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid);

-- Begins a sign-in: drops the expired ones, stores this one.
CREATE FUNCTION ks_sso_state_begin(p_state_hash bytea, p_organization uuid, p_nonce text, p_challenge text,
                                   p_source text, p_expires timestamptz)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  DELETE FROM sso_login_states WHERE expires_at < now();
  INSERT INTO sso_login_states (state_hash, organization_id, nonce, code_challenge, source_address, expires_at)
  VALUES (p_state_hash, p_organization, p_nonce, p_challenge, p_source, p_expires);
$$;

-- Takes a live sign-in once (deleted as it is read), only with the PKCE challenge of the browser that began it.
CREATE FUNCTION ks_sso_state_take(p_state_hash bytea, p_challenge text)
RETURNS TABLE (organization_id uuid, nonce text, code_challenge text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  DELETE FROM sso_login_states s WHERE s.state_hash = p_state_hash AND s.code_challenge = p_challenge
     AND s.expires_at > now()
  RETURNING s.organization_id, s.nonce, s.code_challenge
$$;
REVOKE ALL ON FUNCTION ks_sso_state_begin(bytea, uuid, text, text, text, timestamptz),
  ks_sso_state_take(bytea, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_sso_state_begin(bytea, uuid, text, text, text, timestamptz),
  ks_sso_state_take(bytea, text) TO ${appRole};

-- Before the organization is known: the organizations whose enabled SSO admits an e-mail domain.
CREATE FUNCTION ks_sso_organizations_for_domain(p_domain text)
RETURNS TABLE (organization_id uuid, organization_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT o.id, o.name
    FROM sso_configurations s JOIN organizations o ON o.id = s.organization_id
   WHERE s.enabled AND s.allowed_domains @> ARRAY[lower(p_domain)]
   ORDER BY o.name, o.id
   LIMIT 20
$$;

-- Password sign-in: of these organizations, those that require SSO, with their break-glass Account Owner.
CREATE FUNCTION ks_sso_required(p_organizations uuid[])
RETURNS TABLE (organization_id uuid, break_glass_user_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT s.organization_id, s.break_glass_user_id
    FROM sso_configurations s
   WHERE s.organization_id = ANY(p_organizations) AND s.enabled AND s.sso_required
$$;

REVOKE ALL ON FUNCTION ks_sso_organizations_for_domain(text), ks_sso_required(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_sso_organizations_for_domain(text), ks_sso_required(uuid[]) TO ${appRole};
