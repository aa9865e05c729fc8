package io.keysmith.idempotency;

import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/** All SQL of Idempotency-Key records (V11): one row per organization, credential and key. */
public final class IdempotencyRepository {

    /** A row found where a claim wanted to create one. {@code body}: null while in progress or when withheld. */
    public record Stored(
            String operationId,
            byte[] fingerprint,
            boolean done,
            Integer status,
            JsonObject headers,
            Buffer body,
            boolean withheld) {}

    /**
     * Claims {@code key} for a request in progress: null when this request now owns it (an expired row is replaced),
     * else the row another request made. Runs in its own transaction, committed before the work begins, so a second
     * request on any replica sees the claim.
     */
    public Future<Stored> claim(Tenant t, String credential, String key, String operationId, byte[] fingerprint) {
        return t.conn()
                .preparedQuery("DELETE FROM idempotency_keys WHERE organization_id = $1 AND credential = $2"
                        + " AND idempotency_key = $3 AND expires_at < now()")
                .execute(Tuple.of(t.org(), credential, key))
                .compose(x -> t.conn()
                        .preparedQuery("INSERT INTO idempotency_keys (organization_id, credential, idempotency_key,"
                                + " operation_id, fingerprint, state) VALUES ($1, $2, $3, $4, $5, 'IN_PROGRESS')"
                                + " ON CONFLICT DO NOTHING")
                        .execute(Tuple.of(t.org(), credential, key, operationId, Buffer.buffer(fingerprint))))
                .compose(inserted -> inserted.rowCount() == 1
                        ? Future.succeededFuture(null)
                        : t.conn()
                                .preparedQuery(
                                        "SELECT operation_id, fingerprint, state, status, headers, body, withheld"
                                                + " FROM idempotency_keys WHERE organization_id = $1 AND credential = $2"
                                                + " AND idempotency_key = $3")
                                .execute(Tuple.of(t.org(), credential, key))
                                .map(rows -> rows.size() == 0
                                        ? null
                                        : stored(rows.iterator().next())));
    }

    private static Stored stored(Row r) {
        Buffer body = r.getBuffer("body");
        Object headers = r.getValue("headers");
        return new Stored(
                r.getString("operation_id"),
                r.getBuffer("fingerprint").getBytes(),
                "DONE".equals(r.getString("state")),
                r.getInteger("status"),
                headers instanceof JsonObject h ? h : new JsonObject(),
                body,
                r.getBoolean("withheld"));
    }

    /** The work succeeded: its answer (or, {@code withheld}, only what identifies it) is kept for replay. */
    public Future<Void> complete(
            Tenant t, String credential, String key, int status, JsonObject headers, Buffer body, boolean withheld) {
        return t.conn()
                .preparedQuery("UPDATE idempotency_keys SET state = 'DONE', status = $4, headers = $5, body = $6,"
                        + " withheld = $7 WHERE organization_id = $1 AND credential = $2 AND idempotency_key = $3")
                .execute(Tuple.from(new Object[] {t.org(), credential, key, status, headers, body, withheld}))
                .mapEmpty();
    }

    /** The request changed nothing (refused, or failed): the key is free for a retry. */
    public Future<Void> release(Tenant t, String credential, String key) {
        return t.conn()
                .preparedQuery("DELETE FROM idempotency_keys WHERE organization_id = $1 AND credential = $2"
                        + " AND idempotency_key = $3 AND state = 'IN_PROGRESS'")
                .execute(Tuple.of(t.org(), credential, key))
                .mapEmpty();
    }

    /** Deletes expired rows of every organization (SECURITY DEFINER, V11); the number deleted. */
    public Future<Long> purge(SqlConnection conn) {
        return conn.query("SELECT ks_purge_idempotency_keys() AS gone")
                .execute()
                .map(rows -> rows.iterator().next().getLong("gone"));
    }
}
