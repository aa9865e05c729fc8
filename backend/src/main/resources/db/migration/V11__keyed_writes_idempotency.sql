-- Issue 15: keyed writes on people records. Two organization policies for them, and the stored answers of
-- Idempotency-Key requests (ADR 0012).
ALTER TABLE organization_policies
  ADD COLUMN require_if_match boolean NOT NULL DEFAULT false,
  ADD COLUMN require_on_behalf_of boolean NOT NULL DEFAULT false;

-- One row per (organization, credential, Idempotency-Key): claimed IN_PROGRESS in its own committed transaction
-- before the work starts, so a second request on any replica sees it; DONE with the answer once the work succeeded.
-- A secret-bearing answer (a new key's secret) is never stored: only its status and the created object's id
-- (withheld). Rows live 24 hours; ks_purge_idempotency_keys deletes expired ones.
CREATE TABLE idempotency_keys (
  organization_id uuid NOT NULL REFERENCES organizations(id),
  credential      text NOT NULL CHECK (length(credential) <= 100),
  idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
  operation_id    text NOT NULL CHECK (length(operation_id) <= 100),
  fingerprint     bytea NOT NULL,
  state           text NOT NULL CHECK (state IN ('IN_PROGRESS', 'DONE')),
  status          integer,
  headers         jsonb,
  body            bytea,
  withheld        boolean NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL DEFAULT now() + interval '24 hours',
  PRIMARY KEY (organization_id, credential, idempotency_key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys
  USING (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid)
  WITH CHECK (organization_id = NULLIF(current_setting('app.organization_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO ${appRole};

-- The purge crosses organizations, so it runs as the owner (SECURITY DEFINER, as ks_roll_up_usage). Rows deleted.
CREATE FUNCTION ks_purge_idempotency_keys() RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE gone bigint;
BEGIN
  DELETE FROM idempotency_keys WHERE expires_at < now();
  GET DIAGNOSTICS gone = ROW_COUNT;
  RETURN gone;
END $$;
REVOKE ALL ON FUNCTION ks_purge_idempotency_keys() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_purge_idempotency_keys() TO ${appRole};
