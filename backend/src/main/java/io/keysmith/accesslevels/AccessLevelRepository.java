package io.keysmith.accesslevels;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.Arrays;
import java.util.UUID;

/** All SQL of access levels. */
public final class AccessLevelRepository {
    private static final String SELECT = "SELECT a.id, a.name, a.description, a.builtin, a.record_scope, a.field_rights,"
            + " a.permissions, (SELECT count(*) FROM users u WHERE u.access_level_id = a.id) AS user_count"
            + " FROM access_levels a";

    public Future<JsonArray> list(SqlConnection conn) {
        return conn.query(SELECT + " ORDER BY a.builtin IS NULL, a.name").execute().map(rows -> {
            JsonArray out = new JsonArray();
            rows.forEach(r -> out.add(toJson(r)));
            return out;
        });
    }

    public Future<JsonObject> find(SqlConnection conn, UUID id) {
        return conn.preparedQuery(SELECT + " WHERE a.id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : toJson(rows.iterator().next()));
    }

    public Future<JsonObject> findForUpdate(SqlConnection conn, UUID id) {
        return conn.preparedQuery(SELECT + " WHERE a.id = $1 FOR UPDATE OF a").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : toJson(rows.iterator().next()));
    }

    public Future<JsonObject> insert(SqlConnection conn, UUID org, JsonObject body) {
        return conn.preparedQuery("INSERT INTO access_levels (organization_id, name, description, record_scope, field_rights,"
                        + " permissions) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
                .execute(Tuple.from(new Object[] {org, body.getString("name").trim(), body.getString("description", ""),
                    body.getString("recordScope"), body.getJsonObject("fieldRights"), permissions(body)}))
                .compose(rows -> find(conn, rows.iterator().next().getUUID("id")));
    }

    public Future<JsonObject> update(SqlConnection conn, UUID id, JsonObject body) {
        return conn.preparedQuery("UPDATE access_levels SET name = $2, description = $3, record_scope = $4, field_rights = $5,"
                        + " permissions = $6, version = version + 1, updated_at = now() WHERE id = $1")
                .execute(Tuple.from(new Object[] {id, body.getString("name").trim(), body.getString("description", ""),
                    body.getString("recordScope"), body.getJsonObject("fieldRights"), permissions(body)}))
                .compose(x -> find(conn, id));
    }

    public Future<Boolean> delete(SqlConnection conn, UUID id) {
        return conn.preparedQuery("DELETE FROM access_levels WHERE id = $1 AND builtin IS NULL").execute(Tuple.of(id))
                .map(r -> r.rowCount() == 1);
    }

    private static String[] permissions(JsonObject body) {
        return body.getJsonArray("permissions").stream().map(String::valueOf).sorted().toArray(String[]::new);
    }

    static JsonObject toJson(Row r) {
        Object fields = r.getValue("field_rights");
        JsonObject j = new JsonObject()
                .put("id", r.getUUID("id").toString())
                .put("name", r.getString("name"))
                .put("description", r.getString("description"))
                .put("recordScope", r.getString("record_scope"))
                .put("fieldRights", fields instanceof JsonObject f ? f : new JsonObject())
                .put("permissions", new JsonArray(Arrays.asList(r.getArrayOfStrings("permissions"))))
                .put("editable", r.getString("builtin") == null)
                .put("userCount", r.getLong("user_count").intValue());
        if (r.getString("builtin") != null) {
            j.put("builtin", r.getString("builtin"));
        }
        return j;
    }
}
