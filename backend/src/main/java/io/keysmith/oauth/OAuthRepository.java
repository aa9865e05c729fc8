package io.keysmith.oauth;

import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/** All SQL of the authorization server: signing keys (platform-wide), the jti deny-list, the token's user. */
public final class OAuthRepository {

    /** A signing key as stored: the private JWK encrypted (JWE compact) under a server-secret version. */
    public record StoredKey(
            String kid,
            String alg,
            String encryptedPrivateJwk,
            int secretVersion,
            JsonObject publicJwk,
            OffsetDateTime signsFrom,
            OffsetDateTime signsUntil,
            OffsetDateTime retiredAt) {}

    /** Every key still published (not retired), oldest first. */
    public Future<List<StoredKey>> publishedKeys(SqlClient conn) {
        return conn.preparedQuery("SELECT kid, alg, private_jwk, secret_version, public_jwk, signs_from, signs_until,"
                        + " retired_at FROM oauth_signing_keys WHERE retired_at > now() ORDER BY signs_from, kid")
                .execute()
                .map(rows -> {
                    List<StoredKey> out = new ArrayList<>();
                    rows.forEach(r -> out.add(stored(r)));
                    return out;
                });
    }

    /** One replica at a time decides on rotation (a transaction-scoped advisory lock). */
    public Future<Void> lockRotation(SqlClient conn) {
        return conn.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended('oauth-signing-keys', 0))")
                .execute()
                .mapEmpty();
    }

    public Future<Void> insertKey(SqlClient conn, StoredKey k) {
        return conn.preparedQuery("INSERT INTO oauth_signing_keys (kid, alg, private_jwk, secret_version, public_jwk,"
                        + " signs_from, signs_until, retired_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .execute(Tuple.from(new Object[] {
                    k.kid(),
                    k.alg(),
                    Buffer.buffer(k.encryptedPrivateJwk()),
                    k.secretVersion(),
                    k.publicJwk(),
                    k.signsFrom(),
                    k.signsUntil(),
                    k.retiredAt()
                }))
                .mapEmpty();
    }

    /** Keys no token can carry any more: deleted, private part and all. */
    public Future<Void> deleteRetired(SqlClient conn) {
        return conn.preparedQuery("DELETE FROM oauth_signing_keys WHERE retired_at <= now()")
                .execute()
                .mapEmpty();
    }

    /** Denies {@code jti} until the token would have expired; false when it was already denied. */
    public Future<Boolean> revoke(Tenant t, UUID jti, UUID client, OffsetDateTime expiresAt) {
        return t.conn()
                .preparedQuery("INSERT INTO oauth_revoked_tokens (organization_id, jti, client_id, expires_at)"
                        + " VALUES ($1, $2, $3, $4) ON CONFLICT (jti) DO NOTHING")
                .execute(Tuple.of(t.org(), jti, client, expiresAt))
                .map(rows -> rows.rowCount() > 0);
    }

    /** Deny-list rows of tokens expired anyway, in every organization (V23; one replica at a time). Rows deleted. */
    public Future<Long> purgeExpired(SqlClient conn) {
        return conn.query("SELECT ks_purge_revoked_tokens() AS gone")
                .execute()
                .map(rows -> rows.iterator().next().getLong("gone"));
    }

    /** The permissions of an active user of this organization (the token's user_id), or null. */
    public Future<Set<String>> activeUserPermissions(Tenant t, UUID user) {
        return t.conn()
                .preparedQuery("SELECT a.permissions FROM users u JOIN access_levels a"
                        + " ON a.organization_id = u.organization_id AND a.id = u.access_level_id"
                        + " WHERE u.organization_id = $1 AND u.id = $2 AND u.status = 'ACTIVE'")
                .execute(Tuple.of(t.org(), user))
                .map(rows -> rows.size() == 0
                        ? null
                        : new TreeSet<>(Arrays.asList(rows.iterator().next().getArrayOfStrings("permissions"))));
    }

    private static StoredKey stored(Row r) {
        Object jwk = r.getValue("public_jwk");
        return new StoredKey(
                r.getString("kid"),
                r.getString("alg"),
                r.getBuffer("private_jwk").toString(java.nio.charset.StandardCharsets.US_ASCII),
                r.getInteger("secret_version"),
                jwk instanceof JsonObject j ? j : new JsonObject(String.valueOf(jwk)),
                r.getOffsetDateTime("signs_from"),
                r.getOffsetDateTime("signs_until"),
                r.getOffsetDateTime("retired_at"));
    }
}
