package io.keysmith.users;

import io.keysmith.db.DbErrors;
import io.keysmith.db.Tenant;
import io.keysmith.errors.Conflict;
import io.keysmith.errors.Invalid;
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

/** All SQL of users and their invitation / password-reset tokens; every statement scoped by organization. */
public final class UserRepository {
    private static final String SELECT = "SELECT u.id, u.email, u.first_name, u.last_name, u.kind, u.status,"
            + " u.password_hash IS NOT NULL AS has_password, u.created_at, a.id AS access_level_id,"
            + " a.name AS access_level_name, a.builtin AS access_level_builtin"
            + " FROM users u JOIN access_levels a ON a.organization_id = u.organization_id AND a.id = u.access_level_id"
            + " WHERE u.organization_id = $1";

    /** E-mails are unique per organization whatever their case (V2); a level deleted while being assigned. */
    private static final DbErrors WRITE = DbErrors.declare()
            .unique(
                    "users_email_per_org",
                    () -> new Conflict("email-taken", "A user with this e-mail already exists in the organization"))
            .foreignKey(
                    "users_organization_id_access_level_id_fkey",
                    () -> new Invalid("accessLevelId", "Field 'accessLevelId' names no access level"));

    /** {@code accessLevelId} null means the built-in named by {@code builtin}. */
    public Future<JsonObject> insert(
            Tenant t,
            String email,
            String first,
            String last,
            String kind,
            UUID accessLevelId,
            String builtin,
            String passwordHash) {
        return t.conn()
                .preparedQuery(
                        "INSERT INTO users (organization_id, email, first_name, last_name, kind, access_level_id,"
                                + " password_hash) VALUES ($1, $2, $3, $4, $5,"
                                + " COALESCE($6, (SELECT id FROM access_levels WHERE organization_id = $1 AND builtin = $7)), $8)"
                                + " RETURNING id")
                .execute(Tuple.from(
                        new Object[] {t.org(), email, first, last, kind, accessLevelId, builtin, passwordHash}))
                .recover(WRITE::translate)
                .compose(rows -> find(t, rows.iterator().next().getUUID("id")));
    }

    public Future<JsonObject> find(Tenant t, UUID id) {
        return t.conn()
                .preparedQuery(SELECT + " AND u.id = $2")
                .execute(Tuple.of(t.org(), id))
                .map(UserRepository::one);
    }

    /** Locks the row for the rest of the transaction: status and access-level rules read then write. */
    public Future<JsonObject> findForUpdate(Tenant t, UUID id) {
        return t.conn()
                .preparedQuery(SELECT + " AND u.id = $2 FOR UPDATE OF u")
                .execute(Tuple.of(t.org(), id))
                .map(UserRepository::one);
    }

    /** Active Account Owners other than {@code except}, locked so two demotions cannot both see "one left". */
    public Future<Integer> otherActiveOwners(Tenant t, UUID except) {
        return t.conn()
                .preparedQuery("SELECT u.id FROM users u JOIN access_levels a ON a.id = u.access_level_id"
                        + " WHERE u.organization_id = $1 AND a.builtin = 'ACCOUNT_OWNER' AND u.status = 'ACTIVE'"
                        + " AND u.id <> $2 FOR UPDATE OF u")
                .execute(Tuple.of(t.org(), except))
                .map(RowSet::size);
    }

    public Future<JsonArray> list(
            Tenant t, String status, String kind, String q, OffsetDateTime afterCreated, UUID afterId, int limit) {
        String prefix = q == null
                ? null
                : q.toLowerCase().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        return t.conn()
                .preparedQuery(SELECT
                        + " AND ($2::text IS NULL OR u.status = $2) AND ($3::text IS NULL OR u.kind = $3)"
                        + " AND ($4::text IS NULL OR lower(u.email) LIKE $4 OR lower(u.first_name) LIKE $4"
                        + " OR lower(u.last_name) LIKE $4)"
                        + " AND ($5::timestamptz IS NULL OR (u.created_at, u.id) > ($5, $6))"
                        + " ORDER BY u.created_at, u.id LIMIT $7")
                .execute(Tuple.from(new Object[] {t.org(), status, kind, prefix, afterCreated, afterId, limit}))
                .map(rows -> {
                    JsonArray out = new JsonArray();
                    rows.forEach(r -> out.add(toJson(r)));
                    return out;
                });
    }

    public Future<JsonObject> update(Tenant t, UUID id, JsonObject changes) {
        return t.conn()
                .preparedQuery("UPDATE users SET email = COALESCE($3, email), first_name = COALESCE($4, first_name),"
                        + " last_name = COALESCE($5, last_name), kind = COALESCE($6, kind),"
                        + " access_level_id = COALESCE($7, access_level_id), version = version + 1, updated_at = now()"
                        + " WHERE organization_id = $1 AND id = $2")
                .execute(Tuple.from(new Object[] {
                    t.org(),
                    id,
                    changes.getString("email"),
                    changes.getString("firstName"),
                    changes.getString("lastName"),
                    changes.getString("kind"),
                    changes.getString("accessLevelId") == null
                            ? null
                            : UUID.fromString(changes.getString("accessLevelId"))
                }))
                .recover(WRITE::translate)
                .compose(x -> find(t, id));
    }

    public Future<JsonObject> setStatus(Tenant t, UUID id, String status) {
        return t.conn()
                .preparedQuery("UPDATE users SET status = $3, version = version + 1, updated_at = now()"
                        + " WHERE organization_id = $1 AND id = $2")
                .execute(Tuple.of(t.org(), id, status))
                .compose(x -> find(t, id));
    }

    public Future<Void> setPassword(Tenant t, UUID id, String hash) {
        return t.conn()
                .preparedQuery("UPDATE users SET password_hash = $3, version = version + 1, updated_at = now()"
                        + " WHERE organization_id = $1 AND id = $2")
                .execute(Tuple.of(t.org(), id, hash))
                .mapEmpty();
    }

    public Future<Void> insertToken(Tenant t, UUID userId, byte[] tokenHash, String purpose, OffsetDateTime expiresAt) {
        return t.conn()
                .preparedQuery("UPDATE invitations SET used_at = now()"
                        + " WHERE organization_id = $1 AND user_id = $2 AND used_at IS NULL")
                .execute(Tuple.of(t.org(), userId)) // a new link replaces any earlier one
                .compose(x -> t.conn()
                        .preparedQuery("INSERT INTO invitations (token_hash, organization_id, user_id, purpose,"
                                + " expires_at) VALUES ($1, $2, $3, $4, $5)")
                        .execute(Tuple.of(Buffer.buffer(tokenHash), t.org(), userId, purpose, expiresAt)))
                .mapEmpty();
    }

    /** Before the organization is known: the SECURITY DEFINER lookup of a live token. */
    public Future<Row> findToken(SqlConnection conn, byte[] tokenHash) {
        return conn.preparedQuery("SELECT * FROM ks_invitation($1)")
                .execute(Tuple.of(Buffer.buffer(tokenHash)))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    /** Marks the token used; false if another request used it first (one-time, even under a race). */
    public Future<Boolean> consumeToken(Tenant t, byte[] tokenHash) {
        return t.conn()
                .preparedQuery("UPDATE invitations SET used_at = now() WHERE organization_id = $1 AND token_hash = $2"
                        + " AND used_at IS NULL AND expires_at > now()")
                .execute(Tuple.of(t.org(), Buffer.buffer(tokenHash)))
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
