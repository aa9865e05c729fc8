package io.keysmith.signin;

import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * All SQL of second factors: TOTP secrets ({@code totp_factors}), recovery codes (their hashes), sign-in challenges
 * (by the hash of their token) and the organization's sign-in policy.
 */
public final class SecondFactorRepository {

    /** The user's TOTP row (secret, pending secret, confirmed_at, last_step), or null. */
    public Future<Row> totp(Tenant t, UUID userId) {
        return t.conn()
                .preparedQuery("SELECT * FROM totp_factors WHERE organization_id = $1 AND user_id = $2")
                .execute(Tuple.of(t.org(), userId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    /** A new pending secret; a confirmed one stays in use until the new one is confirmed. */
    public Future<Void> startPending(Tenant t, UUID userId, byte[] sealed, int version) {
        return t.conn()
                .preparedQuery("INSERT INTO totp_factors (organization_id, user_id, pending_secret,"
                        + " pending_secret_version, pending_since) VALUES ($1, $2, $3, $4, now())"
                        + " ON CONFLICT (organization_id, user_id) DO UPDATE SET pending_secret = $3,"
                        + " pending_secret_version = $4, pending_since = now()")
                .execute(Tuple.of(t.org(), userId, Buffer.buffer(sealed), version))
                .mapEmpty();
    }

    /** The pending secret becomes the user's, its confirming code's step spent; false when none was pending. */
    public Future<Boolean> confirmPending(Tenant t, UUID userId, long step) {
        return t.conn()
                .preparedQuery("UPDATE totp_factors SET secret = pending_secret, secret_version ="
                        + " pending_secret_version, confirmed_at = now(), pending_secret = NULL,"
                        + " pending_secret_version = NULL, pending_since = NULL, last_step = $3"
                        + " WHERE organization_id = $1 AND user_id = $2 AND pending_secret IS NOT NULL"
                        + " RETURNING 1")
                .execute(Tuple.of(t.org(), userId, step))
                .map(rows -> rows.size() == 1);
    }

    /** Spends a time step: true only when it is newer than every step used before (each code works once). */
    public Future<Boolean> spendStep(Tenant t, UUID userId, long step) {
        return t.conn()
                .preparedQuery("UPDATE totp_factors SET last_step = $3 WHERE organization_id = $1 AND user_id = $2"
                        + " AND secret IS NOT NULL AND last_step < $3 RETURNING 1")
                .execute(Tuple.of(t.org(), userId, step))
                .map(rows -> rows.size() == 1);
    }

    public Future<Boolean> deleteTotp(Tenant t, UUID userId) {
        return t.conn()
                .preparedQuery("DELETE FROM totp_factors WHERE organization_id = $1 AND user_id = $2 RETURNING 1")
                .execute(Tuple.of(t.org(), userId))
                .map(rows -> rows.size() == 1);
    }

    /** Replaces the user's recovery codes with these hashes. */
    public Future<Void> replaceRecoveryCodes(Tenant t, UUID userId, List<byte[]> hashes) {
        Buffer[] values = hashes.stream().map(Buffer::buffer).toArray(Buffer[]::new);
        return deleteRecoveryCodes(t, userId)
                .compose(x -> t.conn()
                        .preparedQuery("INSERT INTO recovery_codes (organization_id, user_id, code_hash)"
                                + " SELECT $1, $2, h FROM unnest($3::bytea[]) AS h")
                        .execute(Tuple.of(t.org(), userId, values)))
                .mapEmpty();
    }

    public Future<Void> deleteRecoveryCodes(Tenant t, UUID userId) {
        return t.conn()
                .preparedQuery("DELETE FROM recovery_codes WHERE organization_id = $1 AND user_id = $2")
                .execute(Tuple.of(t.org(), userId))
                .mapEmpty();
    }

    /** Uses (deletes) a recovery code: true when it was one of the user's. */
    public Future<Boolean> useRecoveryCode(Tenant t, UUID userId, byte[] hash) {
        return t.conn()
                .preparedQuery("DELETE FROM recovery_codes WHERE organization_id = $1 AND user_id = $2"
                        + " AND code_hash = $3 RETURNING 1")
                .execute(Tuple.of(t.org(), userId, Buffer.buffer(hash)))
                .map(rows -> rows.size() == 1);
    }

    public Future<Integer> recoveryCodesLeft(Tenant t, UUID userId) {
        return t.conn()
                .preparedQuery("SELECT count(*) AS n FROM recovery_codes WHERE organization_id = $1 AND user_id = $2")
                .execute(Tuple.of(t.org(), userId))
                .map(rows -> rows.iterator().next().getInteger("n"));
    }

    public Future<Void> insertChallenge(Tenant t, byte[] idHash, UUID userId, OffsetDateTime expiresAt) {
        return t.conn()
                .preparedQuery("INSERT INTO sign_in_challenges (id_hash, organization_id, user_id, expires_at)"
                        + " VALUES ($1, $2, $3, $4)")
                .execute(Tuple.of(Buffer.buffer(idHash), t.org(), userId, expiresAt))
                .mapEmpty();
    }

    /** A live challenge's organization and user, before the organization is known ({@code ks_sign_in_challenge}). */
    public Future<Row> findChallenge(SqlClient client, byte[] idHash) {
        return client.preparedQuery("SELECT * FROM ks_sign_in_challenge($1)")
                .execute(Tuple.of(Buffer.buffer(idHash)))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    /** Spends a challenge; false when it was spent already (a concurrent completion). */
    public Future<Boolean> consumeChallenge(Tenant t, byte[] idHash) {
        return t.conn()
                .preparedQuery("DELETE FROM sign_in_challenges WHERE organization_id = $1 AND id_hash = $2"
                        + " AND expires_at > now() RETURNING 1")
                .execute(Tuple.of(t.org(), Buffer.buffer(idHash)))
                .map(rows -> rows.size() == 1);
    }

    /** Ends the user's open challenges and expired ones of the organization (a reset, a completed sign-in). */
    public Future<Void> deleteChallengesOf(Tenant t, UUID userId) {
        return t.conn()
                .preparedQuery("DELETE FROM sign_in_challenges WHERE organization_id = $1"
                        + " AND (user_id = $2 OR expires_at <= now())")
                .execute(Tuple.of(t.org(), userId))
                .mapEmpty();
    }

    /** The organization's sign-in policy (the defaults when it never set one). */
    public Future<JsonObject> policy(Tenant t) {
        return t.conn()
                .preparedQuery("SELECT * FROM sign_in_policies WHERE organization_id = $1")
                .execute(Tuple.of(t.org()))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return new JsonObject()
                                .put("secondFactorRequiredFor", "NOBODY")
                                .put("stepUpMinutes", 10)
                                .put("stepUpPasswordAllowed", true);
                    }
                    Row r = rows.iterator().next();
                    return new JsonObject()
                            .put("secondFactorRequiredFor", r.getString("second_factor_required_for"))
                            .put("stepUpMinutes", r.getInteger("step_up_minutes"))
                            .put("stepUpPasswordAllowed", r.getBoolean("step_up_password_allowed"));
                });
    }

    public Future<Void> savePolicy(Tenant t, String requiredFor, int stepUpMinutes, boolean passwordAllowed) {
        return t.conn()
                .preparedQuery("INSERT INTO sign_in_policies (organization_id, second_factor_required_for,"
                        + " step_up_minutes, step_up_password_allowed) VALUES ($1, $2, $3, $4)"
                        + " ON CONFLICT (organization_id) DO UPDATE SET second_factor_required_for = $2,"
                        + " step_up_minutes = $3, step_up_password_allowed = $4,"
                        + " version = sign_in_policies.version + 1, updated_at = now()")
                .execute(Tuple.of(t.org(), requiredFor, stepUpMinutes, passwordAllowed))
                .mapEmpty();
    }
}
