package io.keysmith.organizations;

import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.UUID;

/** All SQL of organizations. */
public final class OrganizationRepository {

    /** Through the SECURITY DEFINER function: a new organization has no tenant to be inserted under yet. */
    public Future<UUID> create(SqlConnection conn, String name) {
        return conn.preparedQuery("SELECT ks_create_organization($1) AS id")
                .execute(Tuple.of(name))
                .map(rows -> rows.iterator().next().getUUID("id"));
    }

    /** A sign-up waiting for its e-mail's proof (SMTP configured): only the token's SHA-256 is stored. */
    public Future<Void> insertSignUpRequest(
            SqlConnection conn, byte[] tokenHash, JsonObject body, String passwordHash, OffsetDateTime expiresAt) {
        return conn.preparedQuery("INSERT INTO sign_up_requests (token_hash, email, organization_name, first_name,"
                        + " last_name, password_hash, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .execute(Tuple.from(new Object[] {
                    Buffer.buffer(tokenHash),
                    body.getString("email").trim(),
                    body.getString("organizationName").trim(),
                    body.getString("firstName").trim(),
                    body.getString("lastName").trim(),
                    passwordHash,
                    expiresAt
                }))
                .mapEmpty();
    }

    /**
     * Uses a pending sign-up once (a conditional UPDATE: two clicks cannot both create an organization); null when
     * the token is unknown, used or expired. Expired requests are deleted on the way.
     */
    public Future<JsonObject> consumeSignUpRequest(SqlConnection conn, byte[] tokenHash) {
        return conn.query("DELETE FROM sign_up_requests WHERE expires_at < now() - interval '1 day'")
                .execute()
                .compose(x -> conn.preparedQuery("UPDATE sign_up_requests SET used_at = now()"
                                + " WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()"
                                + " RETURNING email, organization_name, first_name, last_name, password_hash")
                        .execute(Tuple.of(Buffer.buffer(tokenHash))))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    return new JsonObject()
                            .put("email", r.getString("email"))
                            .put("organizationName", r.getString("organization_name"))
                            .put("firstName", r.getString("first_name"))
                            .put("lastName", r.getString("last_name"))
                            .put("passwordHash", r.getString("password_hash"));
                });
    }

    /** The organization of the current tenant transaction. */
    public Future<JsonObject> current(Tenant t) {
        return t.conn()
                .preparedQuery("SELECT id, name FROM organizations WHERE id = $1")
                .execute(Tuple.of(t.org()))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new JsonObject()
                            .put("id", r.getUUID("id").toString())
                            .put("name", r.getString("name"));
                });
    }
}
