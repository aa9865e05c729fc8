package io.keysmith.auth;

import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** All SQL of {@code sessions}; a session is found by the SHA-256 of its token, never by the token. */
public final class SessionRepository {

    public Future<Void> insert(Tenant t, Buffer idHash, UUID userId, OffsetDateTime expiresAt, List<String> amr) {
        return t.conn()
                .preparedQuery("INSERT INTO sessions (id_hash, organization_id, user_id, expires_at, amr)"
                        + " VALUES ($1, $2, $3, $4, $5)")
                .execute(Tuple.of(idHash, t.org(), userId, expiresAt, amr.toArray(String[]::new)))
                .mapEmpty();
    }

    /** Authenticated again now (step-up): the method joins the session's amr once. */
    public Future<Void> reauthenticated(Tenant t, Buffer idHash, String method) {
        return t.conn()
                .preparedQuery("UPDATE sessions SET authenticated_at = now(),"
                        + " amr = CASE WHEN $3 = ANY (amr) THEN amr ELSE amr || $3 END"
                        + " WHERE organization_id = $1 AND id_hash = $2")
                .execute(Tuple.of(t.org(), idHash, method))
                .mapEmpty();
    }

    /**
     * The live session with its user's rights, or null: through {@code ks_session}, which may read across
     * organizations before the tenant is known.
     */
    public Future<Row> find(SqlClient client, Buffer idHash) {
        return client.preparedQuery("SELECT * FROM ks_session($1)")
                .execute(Tuple.of(idHash))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    public Future<Void> touch(Tenant t, Buffer idHash) {
        return t.conn()
                .preparedQuery("UPDATE sessions SET last_seen_at = now() WHERE organization_id = $1 AND id_hash = $2")
                .execute(Tuple.of(t.org(), idHash))
                .mapEmpty();
    }

    public Future<Void> delete(Tenant t, Buffer idHash) {
        return t.conn()
                .preparedQuery("DELETE FROM sessions WHERE organization_id = $1 AND id_hash = $2")
                .execute(Tuple.of(t.org(), idHash))
                .mapEmpty();
    }

    public Future<Void> deleteAllOf(Tenant t, UUID userId) {
        return t.conn()
                .preparedQuery("DELETE FROM sessions WHERE organization_id = $1 AND user_id = $2")
                .execute(Tuple.of(t.org(), userId))
                .mapEmpty();
    }
}
