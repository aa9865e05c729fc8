package io.keysmith.organizations;

import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/** All SQL of organizations. */
public final class OrganizationRepository {

    /** Through the SECURITY DEFINER function: a new organization has no tenant to be inserted under yet. */
    public Future<UUID> create(SqlConnection conn, String name) {
        return conn.preparedQuery("SELECT ks_create_organization($1) AS id")
                .execute(Tuple.of(name))
                .map(rows -> rows.iterator().next().getUUID("id"));
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
