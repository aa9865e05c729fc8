-- Issue 13 items 2 and 6 (ADR 0010): a sign-in costs one Argon2 hash whatever the number of memberships, and
-- sign-up with SMTP configured needs the e-mail's proof.

-- One salt per person (lower(e-mail)); every membership of the e-mail hashes its own password with it, so a sign-in
-- computes one hash and compares it with every membership's stored string. Not organization-owned, no secret.
CREATE TABLE password_salts (
  email_key   text PRIMARY KEY CHECK (length(email_key) BETWEEN 3 AND 254),
  salt        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT ON password_salts TO ${appRole};

-- Existing memberships: per e-mail, the most recently changed membership with a password gives the person's salt
-- (updated_at is bumped by every password change: the best record of "most recently set" there is). Memberships of
-- the same e-mail hashed with another salt cannot be re-hashed without their password: they must reset (their
-- admin issues a reset link); their sessions and keys are untouched.
INSERT INTO password_salts (email_key, salt)
SELECT DISTINCT ON (lower(email)) lower(email), split_part(password_hash, '$', 5)
  FROM users
 WHERE password_hash IS NOT NULL
 ORDER BY lower(email), updated_at DESC, id;

UPDATE users u SET password_hash = NULL
  FROM password_salts s
 WHERE s.email_key = lower(u.email) AND u.password_hash IS NOT NULL
   AND split_part(u.password_hash, '$', 5) <> s.salt;

-- Keeps the invariant for every later write: a stored hash uses its e-mail's salt. The first password of an e-mail
-- defines the salt; an e-mail change onto an address whose salt differs (or a hash made with another salt) leaves
-- the membership without a password (a reset is needed) rather than with a hash no sign-in could ever check.
CREATE FUNCTION ks_password_on_person_salt() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  person_salt text;
BEGIN
  IF NEW.password_hash IS NULL THEN
    RETURN NEW;
  END IF;
  INSERT INTO password_salts (email_key, salt) VALUES (lower(NEW.email), split_part(NEW.password_hash, '$', 5))
    ON CONFLICT DO NOTHING;
  SELECT salt INTO person_salt FROM password_salts WHERE email_key = lower(NEW.email);
  IF person_salt IS DISTINCT FROM split_part(NEW.password_hash, '$', 5) THEN
    NEW.password_hash := NULL;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER users_password_on_person_salt BEFORE INSERT OR UPDATE OF email, password_hash ON users
  FOR EACH ROW EXECUTE FUNCTION ks_password_on_person_salt();

-- Sign-up waiting for the e-mail's proof (SMTP configured): nothing exists in any organization until the mailed
-- link is followed. Only the SHA-256 of the link's token is stored; the password only as its Argon2 hash.
CREATE TABLE sign_up_requests (
  token_hash         bytea PRIMARY KEY,
  email              text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  organization_name  text NOT NULL CHECK (length(organization_name) BETWEEN 1 AND 200),
  first_name         text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
  last_name          text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
  password_hash      text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  expires_at         timestamptz NOT NULL,
  used_at            timestamptz
);
CREATE INDEX sign_up_requests_expiry ON sign_up_requests (expires_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON sign_up_requests TO ${appRole};
