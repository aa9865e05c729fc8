-- Key usage, written behind in batches: absolute counts per (replica, key, operation, outcome, minute), so a retried
-- flush overwrites instead of double counting.
CREATE TABLE key_usage_minutes (
  organization_id uuid NOT NULL REFERENCES organizations(id),
  key_id          uuid NOT NULL,
  minute          timestamptz NOT NULL,
  operation       text NOT NULL,
  outcome         text NOT NULL CHECK (outcome IN ('ALLOWED', 'DENIED', 'RATE_LIMITED', 'INVALID')),
  replica_id      uuid NOT NULL,
  count           bigint NOT NULL CHECK (count >= 0),
  PRIMARY KEY (organization_id, key_id, minute, operation, outcome, replica_id)
);
CREATE INDEX key_usage_by_time ON key_usage_minutes (organization_id, minute);

-- Addresses a key has been used from: the first use from a new one is an audit event.
CREATE TABLE key_addresses (
  organization_id uuid NOT NULL REFERENCES organizations(id),
  key_id          uuid NOT NULL,
  address         text NOT NULL,
  first_seen_at   timestamptz NOT NULL,
  PRIMARY KEY (organization_id, key_id, address)
);

ALTER TABLE api_keys ADD COLUMN last_used_address text;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['key_usage_minutes', 'key_addresses'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (organization_id = NULLIF(current_setting(''app.organization_id'', true), '''')::uuid) '
                   'WITH CHECK (organization_id = NULLIF(current_setting(''app.organization_id'', true), '''')::uuid)', t);
  END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON key_usage_minutes TO ${appRole};
GRANT SELECT, INSERT ON key_addresses TO ${appRole};

-- Last-used writes must not flush every replica's key cache: announce only changes that alter what a key may do
-- (every such change bumps version).
DROP TRIGGER api_keys_changed ON api_keys;
DROP TRIGGER users_changed ON users;
DROP TRIGGER access_levels_changed ON access_levels;
CREATE TRIGGER api_keys_changed AFTER UPDATE ON api_keys FOR EACH ROW
  WHEN (OLD.version IS DISTINCT FROM NEW.version) EXECUTE FUNCTION ks_notify_key_change();
CREATE TRIGGER api_keys_deleted AFTER DELETE ON api_keys FOR EACH ROW EXECUTE FUNCTION ks_notify_key_change();
CREATE TRIGGER users_changed AFTER UPDATE ON users FOR EACH ROW
  WHEN (OLD.version IS DISTINCT FROM NEW.version) EXECUTE FUNCTION ks_notify_key_change();
CREATE TRIGGER users_deleted AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION ks_notify_key_change();
CREATE TRIGGER access_levels_changed AFTER UPDATE ON access_levels FOR EACH ROW
  WHEN (OLD.version IS DISTINCT FROM NEW.version) EXECUTE FUNCTION ks_notify_key_change();
CREATE TRIGGER access_levels_deleted AFTER DELETE ON access_levels FOR EACH ROW EXECUTE FUNCTION ks_notify_key_change();
