-- Issue 19 (ADR 0018): webhook signing secrets are stored sealed (a compact JWE under a key derived from the server
-- secret, bound to the organization), no longer in plain text. Rows written by earlier versions still hold
-- 'whsec_...'; every replica seals them at start-up (and when a delivery meets one). Finding them crosses
-- organizations, so this runs as the owner (SECURITY DEFINER) and answers only which rows: each is then read, sealed
-- and written under its own organization's row-level security.
COMMENT ON COLUMN webhook_endpoints.secret IS
  'The signing secret sealed (compact JWE, ADR 0018); ''whsec_...'' only in rows of earlier versions, sealed at start-up';
COMMENT ON COLUMN webhook_endpoints.previous_secret IS
  'The rotated-out signing secret, sealed like secret; signs until previous_secret_until';

CREATE FUNCTION ks_webhook_unsealed(p_limit integer)
RETURNS TABLE (organization_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT e.organization_id, e.id FROM webhook_endpoints e
   WHERE starts_with(e.secret, 'whsec_') OR starts_with(e.previous_secret, 'whsec_')
   ORDER BY e.id
   LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION ks_webhook_unsealed(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_webhook_unsealed(integer) TO ${appRole};
