-- Foundation. The server's pool connects as ${appRole}, a non-owner role without BYPASSRLS; every grant it needs
-- is given here, table by table, so nothing is reachable by default.
DO $$ BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), '${appRole}');
END $$;
GRANT USAGE ON SCHEMA public TO ${appRole};
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- One row describing this installation: created by the first start, read by every replica.
CREATE TABLE installation (
  id          boolean PRIMARY KEY DEFAULT true CHECK (id),
  installation_id uuid NOT NULL DEFAULT gen_random_uuid(),
  created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO installation DEFAULT VALUES;
GRANT SELECT ON installation TO ${appRole};
