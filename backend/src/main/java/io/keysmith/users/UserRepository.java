package io.keysmith.users;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.UUID;

/** All SQL of users and their invitation / password-reset tokens. Runs inside a tenant transaction (RLS). */
public final class UserRepository {
    private static final String SELECT = "SELECT u.id, u.email, u.first_name, u.last_name, u.kind, u.status,"
            + " u.password_hash IS NOT NULL AS has_password, u.created_at, a.id AS access_level_id,"
            + " a.name AS access_level_name, a.builtin AS access_level_builtin"
            + " FROM users u JOIN access_levels a ON a.id = u.access_level_id";

    /** {@code accessLevelId} null means the built-in named by {@code builtin}. */
    public Future<JsonObject> insert(SqlConnection conn, UUID org, String email, String first, String last, String kind,
            UUID accessLevelId, String builtin, String passwordHash) {
        return conn.preparedQuery("INSERT INTO users (organization_id, email, first_name, last_name, kind, access_level_id,"
                        + " password_hash) VALUES ($1, $2, $3, $4, $5,"
                        + " COALESCE($6, (SELECT id FROM access_levels WHERE builtin = $7)), $8) RETURNING id")
                .execute(Tuple.from(new Object[] {org, email, first, last, kind, accessLevelId, builtin, passwordHash}))
                .compose(rows -> find(conn, rows.iterator().next().getUUID("id")));
    }

    public Future<JsonObject> find(SqlConnection conn, UUID id) {
        return conn.preparedQuery(SELECT + " WHERE u.id = $1")
                .execute(Tuple.of(id))
                .map(UserRepository::one);
    }

    /** Locks the row for the rest of the transaction: status and access-level rules read then write. */
    public Future<JsonObject> findForUpdate(SqlConnection conn, UUID id) {
        return conn.preparedQuery(SELECT + " WHERE u.id = $1 FOR UPDATE OF u")
                .execute(Tuple.of(id))
                .map(UserRepository::one);
    }

    /** Active Account Owners other than {@code except}, locked so two demotions cannot both see "one left". */
    public Future<Integer> otherActiveOwners(SqlConnection conn, UUID except) {
        return conn.preparedQuery("SELECT u.id FROM users u JOIN access_levels a ON a.id = u.access_level_id"
                        + " WHERE a.builtin = 'ACCOUNT_OWNER' AND u.status = 'ACTIVE' AND u.id <> $1 FOR UPDATE OF u")
                .execute(Tuple.of(except))
                .map(RowSet::size);
    }

    public Future<JsonArray> list(
            SqlConnection conn, String status, String kind, String q, OffsetDateTime afterCreated, UUID afterId, int limit) {
        String prefix = q == null ? null : q.toLowerCase().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        return conn.preparedQuery(SELECT
                        + " WHERE ($1::text IS NULL OR u.status = $1) AND ($2::text IS NULL OR u.kind = $2)"
                        + " AND ($3::text IS NULL OR lower(u.email) LIKE $3 OR lower(u.first_name) LIKE $3"
                        + " OR lower(u.last_name) LIKE $3)"
                        + " AND ($4::timestamptz IS NULL OR (u.created_at, u.id) > ($4, $5))"
                        + " ORDER BY u.created_at, u.id LIMIT $6")
                .execute(Tuple.from(new Object[] {status, kind, prefix, afterCreated, afterId, limit}))
                .map(rows -> {
                    JsonArray out = new JsonArray();
                    rows.forEach(r -> out.add(toJson(r)));
                    return out;
                });
    }

    public Future<JsonObject> update(SqlConnection conn, UUID id, JsonObject changes) {
        return conn.preparedQuery("UPDATE users SET email = COALESCE($2, email), first_name = COALESCE($3, first_name),"
                        + " last_name = COALESCE($4, last_name), kind = COALESCE($5, kind),"
                        + " access_level_id = COALESCE($6, access_level_id), version = version + 1, updated_at = now()"
                        + " WHERE id = $1")
                .execute(Tuple.from(new Object[] {
                    id,
                    changes.getString("email"),
                    changes.getString("firstName"),
                    changes.getString("lastName"),
                    changes.getString("kind"),
                    changes.getString("accessLevelId") == null ? null : UUID.fromString(changes.getString("accessLevelId"))
                }))
                .compose(x -> find(conn, id));
    }

    public Future<JsonObject> setStatus(SqlConnection conn, UUID id, String status) {
        return conn.preparedQuery("UPDATE users SET status = $2, version = version + 1, updated_at = now() WHERE id = $1")
                .execute(Tuple.of(id, status))
                .compose(x -> find(conn, id));
    }

    public Future<Void> setPassword(SqlConnection conn, UUID id, String hash) {
        return conn.preparedQuery("UPDATE users SET password_hash = $2, version = version + 1, updated_at = now() WHERE id = $1")
                .execute(Tuple.of(id, hash))
                .mapEmpty();
    }

    public Future<Void> insertToken(
            SqlConnection conn, UUID org, UUID userId, byte[] tokenHash, String purpose, OffsetDateTime expiresAt) {
        return conn.preparedQuery("UPDATE invitations SET used_at = now() WHERE user_id = $1 AND used_at IS NULL")
                .execute(Tuple.of(userId)) // a new link replaces any earlier one
                .compose(x -> conn.preparedQuery("INSERT INTO invitations (token_hash, organization_id, user_id, purpose, expires_at)"
                                + " VALUES ($1, $2, $3, $4, $5)")
                        .execute(Tuple.of(Buffer.buffer(tokenHash), org, userId, purpose, expiresAt)))
                .mapEmpty();
    }

    /** Before the organization is known: the SECURITY DEFINER lookup of a live token. */
    public Future<Row> findToken(SqlConnection conn, byte[] tokenHash) {
        return conn.preparedQuery("SELECT * FROM ks_invitation($1)")
                .execute(Tuple.of(Buffer.buffer(tokenHash)))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    /** Marks the token used; false if another request used it first (one-time, even under a race). */
    public Future<Boolean> consumeToken(SqlConnection conn, byte[] tokenHash) {
        return conn.preparedQuery("UPDATE invitations SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL"
                        + " AND expires_at > now()")
                .execute(Tuple.of(Buffer.buffer(tokenHash)))
                .map(r -> r.rowCount() == 1);
    }

    private static JsonObject one(RowSet<Row> rows) {
        return rows.size() == 0 ? null : toJson(rows.iterator().next());
    }

    static JsonObject toJson(Row r) {
        JsonObject level = new JsonObject()
                .put("id", r.getUUID("access_level_id").toString())
                .put("name", r.getString("access_level_name"));
        if (r.getString("access_level_builtin") != null) {
            level.put("builtin", r.getString("access_level_builtin"));
        }
        return new JsonObject()
                .put("id", r.getUUID("id").toString())
                .put("email", r.getString("email"))
                .put("firstName", r.getString("first_name"))
                .put("lastName", r.getString("last_name"))
                .put("kind", r.getString("kind"))
                .put("accessLevel", level)
                .put("status", r.getString("status"))
                .put("hasPassword", r.getBoolean("has_password"))
                .put("createdAt", r.getOffsetDateTime("created_at").toInstant().toString());
    }
}
