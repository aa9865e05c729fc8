-- The RFC 7009 deny-list (V14) holds a jti only until its token would have expired anyway: after that the JWT's own
-- exp refuses it, so the row is dead weight. The purge crosses organizations, so it runs as the owner (SECURITY
-- DEFINER, as ks_roll_up_usage); one replica at a time, the others skip while the advisory lock is held. Rows
-- deleted. A minute past exp, so a replica whose clock runs a little behind never sees a revoked token come back.
CREATE FUNCTION ks_purge_revoked_tokens() RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE gone bigint;
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtextextended('oauth-revoked-tokens-purge', 0)) THEN
    RETURN 0;
  END IF;
  DELETE FROM oauth_revoked_tokens WHERE expires_at < now() - interval '1 minute';
  GET DIAGNOSTICS gone = ROW_COUNT;
  RETURN gone;
END $$;
REVOKE ALL ON FUNCTION ks_purge_revoked_tokens() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ks_purge_revoked_tokens() TO ${appRole};
