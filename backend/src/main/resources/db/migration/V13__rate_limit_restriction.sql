-- A rate limit set by someone other than the key's owner is an administrator's restriction like an expiry or an IP
-- allowlist: the owner may lower it, only an administrator raises or clears it (issue 17 item 2, ADR 0009).
ALTER TABLE api_keys DROP CONSTRAINT api_keys_admin_restrictions_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_admin_restrictions_check
  CHECK (admin_restrictions <@ ARRAY['DISABLED', 'EXPIRES_AT', 'IP_ALLOWLIST', 'RATE_LIMIT']);
-- Keys an administrator created for someone else with their own rate limit.
UPDATE api_keys SET admin_restrictions = admin_restrictions || ARRAY['RATE_LIMIT']
 WHERE rate_limit_per_minute IS NOT NULL AND created_by <> owner_user_id;
