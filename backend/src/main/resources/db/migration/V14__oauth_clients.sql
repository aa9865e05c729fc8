-- OAuth 2.0 clients (issue 16): a second kind of credential beside API keys, in the same table so that every rule of
-- keys (owner and holder ∩, INHERIT/SCOPED, expiry, IP allowlist, rate limit, policies, disable/enable/revoke,
-- rotation with grace, "manage ALL", audit, usage, change notifications) governs them unchanged. The client_id is
-- the row's id; the client secret is hashed like a key secret (its own readable prefix, kso_).
ALTER TABLE api_keys ADD COLUMN credential_kind text NOT NULL DEFAULT 'API_KEY'
  CHECK (credential_kind IN ('API_KEY', 'OAUTH_CLIENT'));

-- The client authenticating at the token endpoint, by the hash of its secret (current, or previous within the
-- rotation grace): the columns of ks_key_by_hash (V8), for OAuth clients only.
CREATE FUNCTION ks_oauth_client_by_hash(p_hash bytea)
RETURNS TABLE (organization_id uuid, key_id uuid, owner_user_id uuid, api_type text, status text, owner_status text,
               permission_mode text, key_permissions text[], key_field_rights jsonb, expires_at timestamptz,
               ip_allowlist text[], matched_version integer, grace_until timestamptz,
               owner_scope text, owner_field_rights jsonb, owner_permissions text[], owner_builtin text,
               rate_limit_per_minute integer, rate_limit_ceiling_per_minute integer,
               rate_limit_default_per_minute integer,
               holder_user_id uuid, holder_status text, holder_scope text, holder_field_rights jsonb,
               holder_permissions text[], holder_builtin text, token_revoked boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT k.organization_id, k.id, k.owner_user_id, k.api_type, k.status, u.status, k.permission_mode, k.permissions,
         k.field_rights, k.expires_at, k.ip_allowlist,
         CASE WHEN k.secret_hash = p_hash THEN k.secret_version ELSE k.previous_version END,
         CASE WHEN k.secret_hash = p_hash THEN NULL ELSE k.previous_valid_until END,
         a.record_scope, a.field_rights, a.permissions, a.builtin,
         k.rate_limit_per_minute, p.rate_limit_ceiling_per_minute, p.rate_limit_default_per_minute,
         k.secret_holder_user_id, h.status, ha.record_scope, ha.field_rights, ha.permissions, ha.builtin, false
    FROM api_keys k
    JOIN users u ON u.organization_id = k.organization_id AND u.id = k.owner_user_id
    JOIN access_levels a ON a.organization_id = u.organization_id AND a.id = u.access_level_id
    JOIN users h ON h.organization_id = k.organization_id AND h.id = k.secret_holder_user_id
    JOIN access_levels ha ON ha.organization_id = h.organization_id AND ha.id = h.access_level_id
    LEFT JOIN organization_policies p ON p.organization_id = k.organization_id
   WHERE k.credential_kind = 'OAUTH_CLIENT'
     AND (k.secret_hash = p_hash OR (k.previous_hash = p_hash AND k.previous_valid_until > now()))
$$;
REVOKE ALL ON FUNCTION ks_oauth_client_by_hash(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_oauth_client_by_hash(bytea) TO ${appRole};

-- Access tokens revoked before they expire (RFC 7009): one row per jti until the token would have expired, read by
-- every replica. A revocation is announced on the key channel like any change of a credential, so every replica's
-- cached verdict on that token is dropped at COMMIT.
CREATE TABLE oauth_revoked_tokens (
  organization_id uuid NOT NULL REFERENCES organizations(id),
  jti             uuid NOT NULL PRIMARY KEY,
  client_id       uuid NOT NULL,
  expires_at      timestamptz NOT NULL,
  revoked_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oauth_revoked_tokens_expiry ON oauth_revoked_tokens (expires_at);
ALTER TABLE oauth_revoked_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE oauth_revoked_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON oauth_revoked_tokens
  USING (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid)
  WITH CHECK (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid);
GRANT SELECT, INSERT, DELETE ON oauth_revoked_tokens TO ${appRole};
CREATE TRIGGER oauth_revoked_tokens_changed AFTER INSERT ON oauth_revoked_tokens
  FOR EACH ROW EXECUTE FUNCTION ks_notify_key_change();

-- A presented access token, after its signature and claims were checked: its client's live state by id (and
-- whether this jti was revoked), the same columns as above.
CREATE FUNCTION ks_oauth_client_by_id(p_id uuid, p_jti uuid)
RETURNS TABLE (organization_id uuid, key_id uuid, owner_user_id uuid, api_type text, status text, owner_status text,
               permission_mode text, key_permissions text[], key_field_rights jsonb, expires_at timestamptz,
               ip_allowlist text[], matched_version integer, grace_until timestamptz,
               owner_scope text, owner_field_rights jsonb, owner_permissions text[], owner_builtin text,
               rate_limit_per_minute integer, rate_limit_ceiling_per_minute integer,
               rate_limit_default_per_minute integer,
               holder_user_id uuid, holder_status text, holder_scope text, holder_field_rights jsonb,
               holder_permissions text[], holder_builtin text, token_revoked boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT k.organization_id, k.id, k.owner_user_id, k.api_type, k.status, u.status, k.permission_mode, k.permissions,
         k.field_rights, k.expires_at, k.ip_allowlist, k.secret_version, NULL::timestamptz,
         a.record_scope, a.field_rights, a.permissions, a.builtin,
         k.rate_limit_per_minute, p.rate_limit_ceiling_per_minute, p.rate_limit_default_per_minute,
         k.secret_holder_user_id, h.status, ha.record_scope, ha.field_rights, ha.permissions, ha.builtin,
         EXISTS (SELECT 1 FROM oauth_revoked_tokens r WHERE r.jti = p_jti AND r.organization_id = k.organization_id)
    FROM api_keys k
    JOIN users u ON u.organization_id = k.organization_id AND u.id = k.owner_user_id
    JOIN access_levels a ON a.organization_id = u.organization_id AND a.id = u.access_level_id
    JOIN users h ON h.organization_id = k.organization_id AND h.id = k.secret_holder_user_id
    JOIN access_levels ha ON ha.organization_id = h.organization_id AND ha.id = h.access_level_id
    LEFT JOIN organization_policies p ON p.organization_id = k.organization_id
   WHERE k.credential_kind = 'OAUTH_CLIENT' AND k.id = p_id
$$;
REVOKE ALL ON FUNCTION ks_oauth_client_by_id(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_oauth_client_by_id(uuid, uuid) TO ${appRole};

-- The authorization server's signing keys (platform-wide, not per organization): the private JWK encrypted with
-- the server secret (AES-GCM, the secret version recorded), the public JWK as published. A key is published from
-- created_at, signs from signs_from (so the next key is in the JWKS before any token carries its kid), and stays
-- published until retired_at, past the expiry of the last token it signed.
CREATE TABLE oauth_signing_keys (
  kid             text PRIMARY KEY CHECK (length(kid) BETWEEN 1 AND 100),
  alg             text NOT NULL CHECK (alg IN ('ES256', 'RS256')),
  private_jwk     bytea NOT NULL,
  secret_version  integer NOT NULL,
  public_jwk      jsonb NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  signs_from      timestamptz NOT NULL,
  signs_until     timestamptz NOT NULL,
  retired_at      timestamptz NOT NULL
);
GRANT SELECT, INSERT, DELETE ON oauth_signing_keys TO ${appRole};
