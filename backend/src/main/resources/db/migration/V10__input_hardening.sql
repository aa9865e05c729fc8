-- Issue 13 item 8. Access-level names unique after confusable folding: the UTS #39 skeleton of the name, case-folded
-- (computed by the server with ICU, http/Names.confusableKey); levels created before this version have none and are
-- compared by the server itself, the index closes the race between two new look-alike names.
ALTER TABLE access_levels ADD COLUMN name_key text;
CREATE UNIQUE INDEX access_levels_name_key ON access_levels (organization_id, name_key) WHERE name_key IS NOT NULL;

-- A cap on the keys a user owns (not revoked), per organization: each key has its own rate budget.
ALTER TABLE organization_policies
  ADD COLUMN max_keys_per_user integer NOT NULL DEFAULT 1000 CHECK (max_keys_per_user BETWEEN 1 AND 1000000);
