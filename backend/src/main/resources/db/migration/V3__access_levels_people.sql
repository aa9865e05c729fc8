-- Access levels (built-in and custom) replace the fixed access_level column; people records arrive.

CREATE TABLE access_levels (
  organization_id uuid NOT NULL REFERENCES organizations(id),
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  description     text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
  builtin         text CHECK (builtin IN ('ACCOUNT_OWNER', 'FULL_ADMIN', 'EMPLOYEE')),
  record_scope    text NOT NULL CHECK (record_scope IN ('ALL', 'OWN')),
  field_rights    jsonb NOT NULL DEFAULT '{}'::jsonb,
  permissions     text[] NOT NULL DEFAULT '{}',
  version         bigint NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id),
  UNIQUE (organization_id, id)
);
CREATE UNIQUE INDEX access_levels_name ON access_levels (organization_id, lower(name));
CREATE UNIQUE INDEX access_levels_builtin ON access_levels (organization_id, builtin) WHERE builtin IS NOT NULL;

-- The built-ins every organization starts with. Field rights name the fields of a person record.
CREATE FUNCTION ks_create_builtin_access_levels(p_org uuid) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  INSERT INTO access_levels (organization_id, name, description, builtin, record_scope, field_rights, permissions) VALUES
  (p_org, 'Account Owner', 'Everything, including granting the Account Owner level.', 'ACCOUNT_OWNER', 'ALL',
   '{"firstName":"EDIT","lastName":"EDIT","workEmail":"EDIT","jobTitle":"EDIT","department":"EDIT","managerId":"EDIT","hireDate":"EDIT","employmentStatus":"EDIT","location":"EDIT","salary":"EDIT","dateOfBirth":"EDIT","nationalId":"EDIT","homeAddress":"EDIT"}',
   ARRAY['users:read','users:manage','audit:read','access-levels:read','access-levels:manage','people:read','people:create','people:update','people:delete','keys:create-own','keys:manage-all','policies:manage','partners:manage']),
  (p_org, 'Full Admin', 'Everything except granting the Account Owner level.', 'FULL_ADMIN', 'ALL',
   '{"firstName":"EDIT","lastName":"EDIT","workEmail":"EDIT","jobTitle":"EDIT","department":"EDIT","managerId":"EDIT","hireDate":"EDIT","employmentStatus":"EDIT","location":"EDIT","salary":"EDIT","dateOfBirth":"EDIT","nationalId":"EDIT","homeAddress":"EDIT"}',
   ARRAY['users:read','users:manage','audit:read','access-levels:read','access-levels:manage','people:read','people:create','people:update','people:delete','keys:create-own','keys:manage-all','policies:manage','partners:manage']),
  (p_org, 'Employee', 'Their own record; may create their own API keys.', 'EMPLOYEE', 'OWN',
   '{"firstName":"VIEW","lastName":"VIEW","workEmail":"VIEW","jobTitle":"VIEW","department":"VIEW","managerId":"VIEW","hireDate":"VIEW","employmentStatus":"VIEW","location":"VIEW","salary":"VIEW","dateOfBirth":"VIEW","nationalId":"VIEW","homeAddress":"EDIT"}',
   ARRAY['people:read','people:update','keys:create-own'])
$$;

SELECT ks_create_builtin_access_levels(id) FROM organizations;

ALTER TABLE users ADD COLUMN access_level_id uuid;
UPDATE users u SET access_level_id = a.id
  FROM access_levels a WHERE a.organization_id = u.organization_id AND a.builtin = u.access_level;
ALTER TABLE users ALTER COLUMN access_level_id SET NOT NULL;
ALTER TABLE users ADD FOREIGN KEY (organization_id, access_level_id) REFERENCES access_levels (organization_id, id);
ALTER TABLE users DROP COLUMN access_level;
CREATE INDEX users_access_level ON users (organization_id, access_level_id);

-- Sign-up creates the organization with its built-in levels in one step.
CREATE OR REPLACE FUNCTION ks_create_organization(p_name text) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE org uuid;
BEGIN
  INSERT INTO organizations (name) VALUES (p_name) RETURNING id INTO org;
  PERFORM ks_create_builtin_access_levels(org);
  RETURN org;
END $$;

-- A session now carries its user's current rights: read on every request, so a change to an access level takes
-- effect on the next request of every member on every replica.
DROP FUNCTION ks_session(bytea);
CREATE FUNCTION ks_session(p_id_hash bytea)
RETURNS TABLE (organization_id uuid, user_id uuid, access_level_id uuid, builtin text, record_scope text,
               field_rights jsonb, permissions text[], created_at timestamptz, last_seen_at timestamptz,
               expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT s.organization_id, s.user_id, a.id, a.builtin, a.record_scope, a.field_rights, a.permissions,
         s.created_at, s.last_seen_at, s.expires_at
    FROM sessions s
    JOIN users u ON u.organization_id = s.organization_id AND u.id = s.user_id
    JOIN access_levels a ON a.organization_id = u.organization_id AND a.id = u.access_level_id
   WHERE s.id_hash = p_id_hash AND u.status = 'ACTIVE' AND s.expires_at > now()
$$;
REVOKE ALL ON FUNCTION ks_session(bytea), ks_create_builtin_access_levels(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_session(bytea) TO ${appRole};

CREATE TABLE people (
  organization_id   uuid NOT NULL REFERENCES organizations(id),
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id           uuid,
  first_name        text NOT NULL,
  last_name         text NOT NULL,
  work_email        text,
  job_title         text,
  department        text,
  manager_id        uuid,
  hire_date         date,
  employment_status text NOT NULL DEFAULT 'ACTIVE' CHECK (employment_status IN ('ACTIVE', 'ON_LEAVE', 'TERMINATED')),
  location          text,
  salary            numeric(12, 2),
  date_of_birth     date,
  national_id       text,
  home_address      text,
  version           bigint NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id),
  UNIQUE (organization_id, id),
  FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id),
  FOREIGN KEY (organization_id, manager_id) REFERENCES people (organization_id, id)
);
CREATE INDEX people_listing ON people (organization_id, last_name, first_name, id);
CREATE INDEX people_department ON people (organization_id, department, last_name, first_name, id);
CREATE UNIQUE INDEX people_user ON people (organization_id, user_id) WHERE user_id IS NOT NULL;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['access_levels', 'people'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (organization_id = NULLIF(current_setting(''app.organization_id'', true), '''')::uuid) '
                   'WITH CHECK (organization_id = NULLIF(current_setting(''app.organization_id'', true), '''')::uuid)', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON access_levels TO ${appRole};
GRANT SELECT, INSERT, UPDATE, DELETE ON people TO ${appRole};
