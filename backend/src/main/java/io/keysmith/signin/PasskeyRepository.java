package io.keysmith.signin;

import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * All SQL of passkeys (V22): the users' WebAuthn credentials ({@code webauthn_credentials}) and the ceremonies in
 * progress, reached only through {@code ks_webauthn_challenge_begin/take} (some begin before an organization is known).
 */
public final class PasskeyRepository {

    /** Stores a ceremony's challenge (by its SHA-256), its purpose and what it is bound to. */
    public Future<Void> beginCeremony(
            SqlClient c,
            byte[] challengeHash,
            UUID organizationId,
            UUID userId,
            String purpose,
            byte[] binding,
            OffsetDateTime expiresAt) {
        return c.preparedQuery("SELECT ks_webauthn_challenge_begin($1, $2, $3, $4, $5, $6)")
                .execute(Tuple.from(new Object[] {
                    Buffer.buffer(challengeHash),
                    organizationId,
                    userId,
                    purpose,
                    binding == null ? null : Buffer.buffer(binding),
                    expiresAt
                }))
                .mapEmpty();
    }

    /** Takes a live ceremony once (deleted as read) for its purpose and binding; null when there is none. */
    public Future<Row> takeCeremony(SqlClient c, byte[] challengeHash, String purpose, byte[] binding) {
        return c.preparedQuery("SELECT * FROM ks_webauthn_challenge_take($1, $2, $3)")
                .execute(Tuple.of(
                        Buffer.buffer(challengeHash), purpose, binding == null ? null : Buffer.buffer(binding)))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    /** Whose passkey a credential id is, before the organization is known; null when nobody's (or inactive). */
    public Future<Row> owner(SqlClient c, byte[] credentialId) {
        return c.preparedQuery("SELECT * FROM ks_webauthn_credential_owner($1)")
                .execute(Tuple.of(Buffer.buffer(credentialId)))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    public Future<List<Row>> ofUser(Tenant t, UUID userId) {
        return t.conn()
                .preparedQuery("SELECT * FROM webauthn_credentials WHERE organization_id = $1 AND user_id = $2"
                        + " ORDER BY created_at, id")
                .execute(Tuple.of(t.org(), userId))
                .map(rows -> {
                    List<Row> out = new java.util.ArrayList<>();
                    rows.forEach(out::add);
                    return out;
                });
    }

    /** The user's passkey with this credential id, or null (another user's or organization's finds nothing). */
    public Future<Row> byCredentialId(Tenant t, UUID userId, byte[] credentialId) {
        return t.conn()
                .preparedQuery("SELECT * FROM webauthn_credentials WHERE organization_id = $1 AND user_id = $2"
                        + " AND credential_id = $3")
                .execute(Tuple.of(t.org(), userId, Buffer.buffer(credentialId)))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    public Future<Integer> count(Tenant t, UUID userId) {
        return t.conn()
                .preparedQuery("SELECT count(*) AS n FROM webauthn_credentials WHERE organization_id = $1"
                        + " AND user_id = $2")
                .execute(Tuple.of(t.org(), userId))
                .map(rows -> rows.iterator().next().getInteger("n"));
    }

    public Future<Void> insert(
            Tenant t,
            UUID id,
            UUID userId,
            byte[] credentialId,
            String name,
            byte[] attestedCredentialData,
            long signCount,
            boolean uv,
            boolean backupEligible,
            boolean backupState,
            Boolean discoverable,
            List<String> transports) {
        return t.conn()
                .preparedQuery("INSERT INTO webauthn_credentials (organization_id, id, user_id, credential_id, name,"
                        + " attested_credential_data, sign_count, uv_initialized, backup_eligible, backup_state,"
                        + " discoverable, transports) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
                .execute(Tuple.from(new Object[] {
                    t.org(),
                    id,
                    userId,
                    Buffer.buffer(credentialId),
                    name,
                    Buffer.buffer(attestedCredentialData),
                    signCount,
                    uv,
                    backupEligible,
                    backupState,
                    discoverable,
                    transports.toArray(String[]::new)
                }))
                .mapEmpty();
    }

    /** A verified use: the new counter (never lower: the verifier refused that), the backup state, when. */
    public Future<Void> used(Tenant t, UUID id, long signCount, boolean backupState) {
        return t.conn()
                .preparedQuery("UPDATE webauthn_credentials SET sign_count = greatest(sign_count, $3),"
                        + " backup_state = $4, last_used_at = now() WHERE organization_id = $1 AND id = $2")
                .execute(Tuple.of(t.org(), id, signCount, backupState))
                .mapEmpty();
    }

    /** A counter went backwards: the passkey is marked as possibly cloned and refused from now on. */
    public Future<Void> cloneWarning(Tenant t, UUID id) {
        return t.conn()
                .preparedQuery("UPDATE webauthn_credentials SET clone_warning_at = coalesce(clone_warning_at, now())"
                        + " WHERE organization_id = $1 AND id = $2")
                .execute(Tuple.of(t.org(), id))
                .mapEmpty();
    }

    /** Renames the user's own passkey; the old name, or null when it is not theirs. */
    public Future<String> rename(Tenant t, UUID userId, UUID id, String name) {
        return t.conn()
                .preparedQuery("UPDATE webauthn_credentials w SET name = $4 FROM webauthn_credentials o"
                        + " WHERE w.organization_id = $1 AND w.user_id = $2 AND w.id = $3"
                        + " AND o.organization_id = w.organization_id AND o.id = w.id RETURNING o.name AS old_name")
                .execute(Tuple.of(t.org(), userId, id, name))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("old_name"));
    }

    /** Deletes the user's own passkey; its name, or null when it is not theirs. */
    public Future<String> delete(Tenant t, UUID userId, UUID id) {
        return t.conn()
                .preparedQuery("DELETE FROM webauthn_credentials WHERE organization_id = $1 AND user_id = $2"
                        + " AND id = $3 RETURNING name")
                .execute(Tuple.of(t.org(), userId, id))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("name"));
    }

    public Future<Void> deleteAllOf(Tenant t, UUID userId) {
        return t.conn()
                .preparedQuery("DELETE FROM webauthn_credentials WHERE organization_id = $1 AND user_id = $2")
                .execute(Tuple.of(t.org(), userId))
                .mapEmpty();
    }

    /** A passkey as the API shows it (never its key material). */
    static JsonObject toJson(Row r) {
        JsonObject out = new JsonObject()
                .put("id", r.getUUID("id").toString())
                .put("name", r.getString("name"))
                .put("createdAt", r.getOffsetDateTime("created_at").toInstant().toString())
                .put("backedUp", r.getBoolean("backup_state"))
                .put("transports", new JsonArray(List.of(r.getArrayOfStrings("transports"))));
        if (r.getOffsetDateTime("last_used_at") != null) {
            out.put(
                    "lastUsedAt",
                    r.getOffsetDateTime("last_used_at").toInstant().toString());
        }
        if (r.getOffsetDateTime("clone_warning_at") != null) {
            out.put(
                    "cloneWarningAt",
                    r.getOffsetDateTime("clone_warning_at").toInstant().toString());
        }
        return out;
    }
}
