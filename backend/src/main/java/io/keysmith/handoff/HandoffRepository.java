package io.keysmith.handoff;

import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** All SQL of hand-off links: the organization's own (row-level security), and the few look-ups made before it is known. */
public final class HandoffRepository {
    /** Hand-off links listed per key, newest first; older ones stay in the audit log. */
    static final int LIST_LIMIT = 50;

    private static final String SELECT = "SELECT id, api_key_id, created_by, created_at, expires_at, revealed_at,"
            + " revealed_address, withdrawn_at, expired_at FROM handoffs WHERE organization_id = $1";

    /** What a reveal found: the link's organization, key and creator, its state, and (once only) its ciphertext. */
    public record Claim(UUID organization, UUID handoff, UUID key, UUID createdBy, String state, byte[] ciphertext) {}

    /** A link whose ciphertext the expiry job just deleted. */
    public record Expired(UUID organization, UUID handoff, UUID key, UUID createdBy) {}

    public Future<JsonObject> insert(
            Tenant t, UUID key, UUID createdBy, byte[] ciphertext, byte[] proofHash, OffsetDateTime expiresAt) {
        return t.conn()
                .preparedQuery("INSERT INTO handoffs (organization_id, api_key_id, created_by, ciphertext, proof_hash,"
                        + " expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
                .execute(Tuple.of(
                        t.org(), key, createdBy, Buffer.buffer(ciphertext), Buffer.buffer(proofHash), expiresAt))
                .compose(rows -> find(t, rows.iterator().next().getUUID("id"), false));
    }

    public Future<JsonObject> find(Tenant t, UUID id, boolean forUpdate) {
        return t.conn()
                .preparedQuery(SELECT + " AND id = $2" + (forUpdate ? " FOR UPDATE" : ""))
                .execute(Tuple.of(t.org(), id))
                .map(rows -> rows.size() == 0 ? null : toJson(rows.iterator().next()));
    }

    public Future<JsonArray> listForKey(Tenant t, UUID key) {
        return t.conn()
                .preparedQuery(SELECT + " AND api_key_id = $2 ORDER BY created_at DESC, id DESC LIMIT " + LIST_LIMIT)
                .execute(Tuple.of(t.org(), key))
                .map(rows -> {
                    JsonArray out = new JsonArray();
                    rows.forEach(r -> out.add(toJson(r)));
                    return out;
                });
    }

    /** Withdraws a pending link: its ciphertext is deleted at once. */
    public Future<JsonObject> withdraw(Tenant t, UUID id, UUID by) {
        return t.conn()
                .preparedQuery("UPDATE handoffs SET ciphertext = NULL, withdrawn_at = now(), withdrawn_by = $3"
                        + " WHERE organization_id = $1 AND id = $2")
                .execute(Tuple.of(t.org(), id, by))
                .compose(x -> find(t, id, false));
    }

    /** The organization's policy: how many hours a link lives (V15 default 72, at most 168). */
    public Future<Integer> lifetimeHours(Tenant t) {
        return t.conn()
                .preparedQuery("SELECT handoff_lifetime_hours FROM organization_policies WHERE organization_id = $1")
                .execute(Tuple.of(t.org()))
                .map(rows -> rows.size() == 0
                        ? HandoffService.DEFAULT_HOURS
                        : rows.iterator().next().getInteger(0));
    }

    /** Before the organization is known: a link's state (null: no such link). Consumes nothing. */
    public Future<JsonObject> state(SqlClient conn, UUID id) {
        return conn.preparedQuery("SELECT * FROM ks_handoff_state($1)")
                .execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    return new JsonObject()
                            .put("status", r.getString("state"))
                            .put(
                                    "expiresAt",
                                    r.getOffsetDateTime("expires_at")
                                            .toInstant()
                                            .toString());
                });
    }

    /** The one release of a link's ciphertext (SECURITY DEFINER, row locked): null when there is no such link. */
    public Future<Claim> claim(SqlClient conn, UUID id, byte[] proofHash, String address) {
        return conn.preparedQuery("SELECT * FROM ks_handoff_claim($1, $2, $3)")
                .execute(Tuple.of(id, Buffer.buffer(proofHash), address))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    Buffer ciphertext = r.getBuffer("ciphertext");
                    return new Claim(
                            r.getUUID("organization_id"),
                            r.getUUID("handoff_id"),
                            r.getUUID("api_key_id"),
                            r.getUUID("created_by"),
                            r.getString("state"),
                            ciphertext == null ? null : ciphertext.getBytes());
                });
    }

    /** Deletes the ciphertext of up to {@code limit} links past their expiry; the links changed. */
    public Future<List<Expired>> expireDue(SqlClient conn, int limit) {
        return conn.preparedQuery("SELECT * FROM ks_handoff_expire($1)")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<Expired> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new Expired(
                            r.getUUID("organization_id"),
                            r.getUUID("handoff_id"),
                            r.getUUID("api_key_id"),
                            r.getUUID("created_by"))));
                    return out;
                });
    }

    static String status(Row r) {
        if (r.getOffsetDateTime("withdrawn_at") != null) {
            return "WITHDRAWN";
        }
        if (r.getOffsetDateTime("revealed_at") != null) {
            return "REVEALED";
        }
        if (r.getOffsetDateTime("expired_at") != null
                || !r.getOffsetDateTime("expires_at").isAfter(OffsetDateTime.now())) {
            return "EXPIRED";
        }
        return "PENDING";
    }

    static JsonObject toJson(Row r) {
        JsonObject j = new JsonObject()
                .put("id", r.getUUID("id").toString())
                .put("apiKeyId", r.getUUID("api_key_id").toString())
                .put("createdBy", r.getUUID("created_by").toString())
                .put("createdAt", r.getOffsetDateTime("created_at").toInstant().toString())
                .put("expiresAt", r.getOffsetDateTime("expires_at").toInstant().toString())
                .put("status", status(r));
        if (r.getOffsetDateTime("revealed_at") != null) {
            j.put("revealedAt", r.getOffsetDateTime("revealed_at").toInstant().toString());
            if (r.getString("revealed_address") != null) {
                j.put("revealedFrom", r.getString("revealed_address"));
            }
        }
        if (r.getOffsetDateTime("withdrawn_at") != null) {
            j.put("withdrawnAt", r.getOffsetDateTime("withdrawn_at").toInstant().toString());
        }
        return j;
    }
}
