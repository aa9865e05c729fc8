-- Issue 18: one-time hand-off links the server cannot read, and the response to leaked secrets.

-- A hand-off link. The creator's browser encrypts the secret (WebCrypto AES-GCM) with a key derived from random
-- bytes that travel only in the link's fragment; the server stores the ciphertext and a SHA-256 of a second value
-- derived from the same bytes (the proof a reveal must present), neither of which lets it read the secret. The
-- ciphertext is released once, on an explicit reveal, and deleted then (set NULL); it is also deleted on expiry
-- and on withdrawal. The row stays so the creator sees what happened.
CREATE TABLE handoffs (
  organization_id  uuid NOT NULL REFERENCES organizations(id),
  id               uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  api_key_id       uuid NOT NULL,
  created_by       uuid NOT NULL,
  ciphertext       bytea CHECK (octet_length(ciphertext) BETWEEN 29 AND 2048),
  proof_hash       bytea NOT NULL CHECK (octet_length(proof_hash) = 32),
  created_at       timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz NOT NULL,
  revealed_at      timestamptz,
  revealed_address text CHECK (length(revealed_address) <= 45),
  withdrawn_at     timestamptz,
  withdrawn_by     uuid,
  expired_at       timestamptz,
  UNIQUE (organization_id, id),
  FOREIGN KEY (organization_id, api_key_id) REFERENCES api_keys (organization_id, id),
  FOREIGN KEY (organization_id, created_by) REFERENCES users (organization_id, id),
  FOREIGN KEY (organization_id, withdrawn_by) REFERENCES users (organization_id, id)
);
CREATE INDEX handoffs_key ON handoffs (organization_id, api_key_id, created_at DESC);
CREATE INDEX handoffs_pending_expiry ON handoffs (expires_at) WHERE ciphertext IS NOT NULL;
ALTER TABLE handoffs ENABLE ROW LEVEL SECURITY;
ALTER TABLE handoffs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON handoffs
  USING (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid)
  WITH CHECK (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON handoffs TO ${appRole};

-- Organization policies: how long a hand-off link lives (at most 7 days), and what a reported leak does.
ALTER TABLE organization_policies
  ADD COLUMN handoff_lifetime_hours integer NOT NULL DEFAULT 72 CHECK (handoff_lifetime_hours BETWEEN 1 AND 168),
  ADD COLUMN leak_response text NOT NULL DEFAULT 'REVOKE' CHECK (leak_response IN ('REVOKE', 'DISABLE', 'NOTIFY'));

-- When a key's secret was last reported leaked (GitHub secret scanning, the public revocation API): the SPA's notice.
ALTER TABLE api_keys ADD COLUMN leaked_at timestamptz;

-- Before the organization is known (the partner has no account): a link's state, without consuming anything.
CREATE FUNCTION ks_handoff_state(p_id uuid)
RETURNS TABLE (state text, expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT CASE WHEN h.withdrawn_at IS NOT NULL THEN 'WITHDRAWN'
              WHEN h.revealed_at IS NOT NULL THEN 'REVEALED'
              WHEN h.expired_at IS NOT NULL OR h.expires_at <= now() THEN 'EXPIRED'
              ELSE 'PENDING' END,
         h.expires_at
    FROM handoffs h WHERE h.id = p_id
$$;

-- The one release of a link's ciphertext: the row is locked, so of two concurrent reveals exactly one finds it
-- PENDING; that one gets the ciphertext, which is deleted in the same statement. A wrong proof (a damaged or
-- guessed fragment) consumes nothing.
CREATE FUNCTION ks_handoff_claim(p_id uuid, p_proof_hash bytea, p_address text)
RETURNS TABLE (organization_id uuid, handoff_id uuid, api_key_id uuid, created_by uuid, state text, ciphertext bytea)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
DECLARE h handoffs%ROWTYPE;
BEGIN
  SELECT * INTO h FROM handoffs WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  organization_id := h.organization_id;
  handoff_id := h.id;
  api_key_id := h.api_key_id;
  created_by := h.created_by;
  ciphertext := NULL;
  state := CASE WHEN h.withdrawn_at IS NOT NULL THEN 'WITHDRAWN'
                WHEN h.revealed_at IS NOT NULL THEN 'REVEALED'
                WHEN h.expired_at IS NOT NULL OR h.expires_at <= now() OR h.ciphertext IS NULL THEN 'EXPIRED'
                WHEN h.proof_hash <> p_proof_hash THEN 'DAMAGED'
                ELSE 'PENDING' END;
  IF state = 'PENDING' THEN
    UPDATE handoffs SET ciphertext = NULL, revealed_at = now(), revealed_address = p_address WHERE id = p_id;
    ciphertext := h.ciphertext;
    state := 'REVEALED_NOW';
  END IF;
  RETURN NEXT;
END $$;

-- Links past their expiry lose their ciphertext (up to p_limit per call); the rows changed, for their audit events.
CREATE FUNCTION ks_handoff_expire(p_limit integer)
RETURNS TABLE (organization_id uuid, handoff_id uuid, api_key_id uuid, created_by uuid)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  UPDATE handoffs h SET ciphertext = NULL, expired_at = now()
    FROM (SELECT id FROM handoffs WHERE ciphertext IS NOT NULL AND expires_at <= now()
           ORDER BY expires_at LIMIT p_limit FOR UPDATE SKIP LOCKED) due
   WHERE h.id = due.id
  RETURNING h.organization_id, h.id, h.api_key_id, h.created_by
$$;

-- Leak reports come from outside any organization: the keys whose current secret, or previous secret still in its
-- rotation grace, hashes to one of p_hashes; which one matched says whether the grace is what leaked.
CREATE FUNCTION ks_keys_by_leaked_hashes(p_hashes bytea[])
RETURNS TABLE (hash bytea, organization_id uuid, key_id uuid, owner_user_id uuid, status text, matched text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT k.secret_hash, k.organization_id, k.id, k.owner_user_id, k.status, 'CURRENT'
    FROM api_keys k WHERE k.secret_hash = ANY(p_hashes)
  UNION ALL
  SELECT k.previous_hash, k.organization_id, k.id, k.owner_user_id, k.status, 'PREVIOUS'
    FROM api_keys k WHERE k.previous_hash = ANY(p_hashes) AND k.previous_valid_until > now()
$$;

REVOKE ALL ON FUNCTION ks_handoff_state(uuid), ks_handoff_claim(uuid, bytea, text), ks_handoff_expire(integer),
  ks_keys_by_leaked_hashes(bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_handoff_state(uuid), ks_handoff_claim(uuid, bytea, text), ks_handoff_expire(integer),
  ks_keys_by_leaked_hashes(bytea[]) TO ${appRole};
