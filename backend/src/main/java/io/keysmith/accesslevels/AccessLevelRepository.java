package io.keysmith.accesslevels;

import io.keysmith.db.DbErrors;
import io.keysmith.db.Tenant;
import io.keysmith.errors.Conflict;
import io.keysmith.http.Names;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Arrays;
import java.util.UUID;

/** All SQL of access levels. */
public final class AccessLevelRepository {
    private static final String SELECT =
            "SELECT a.id, a.name, a.description, a.builtin, a.record_scope, a.field_rights,"
                    + " a.permissions, (SELECT count(*) FROM users u WHERE u.organization_id = a.organization_id AND u.access_level_id = a.id) AS user_count"
                    + " FROM access_levels a WHERE a.organization_id = $1";

    /** Two new names racing past the service's look-alike check (V3 by lower case, V10 by confusable skeleton). */
    private static final DbErrors WRITE = DbErrors.declare()
            .unique("access_levels_name", AccessLevelRepository::nameTaken)
            .unique("access_levels_name_key", AccessLevelRepository::nameTaken);

    /** A user was given the level while it was being deleted (the service counted none). */
    private static final DbErrors DELETE = DbErrors.declare()
            .foreignKey(
                    "users_organization_id_access_level_id_fkey",
                    () -> new Conflict("access-level-in-use", "The access level is in use"));

    private static Conflict nameTaken() {
        return new Conflict("name-taken", "An access level with this name already exists", "name");
    }

    public Future<JsonArray> list(Tenant t) {
        return t.conn()
                .preparedQuery(SELECT + " ORDER BY a.builtin IS NULL, a.name")
                .execute(Tuple.of(t.org()))
                .map(rows -> {
                    JsonArray out = new JsonArray();
                    rows.forEach(r -> out.add(toJson(r)));
                    return out;
                });
    }

    public Future<JsonObject> find(Tenant t, UUID id) {
        return t.conn()
                .preparedQuery(SELECT + " AND a.id = $2")
                .execute(Tuple.of(t.org(), id))
                .map(rows -> rows.size() == 0 ? null : toJson(rows.iterator().next()));
    }

    public Future<JsonObject> builtin(Tenant t, String builtin) {
        return t.conn()
                .preparedQuery(SELECT + " AND a.builtin = $2")
                .execute(Tuple.of(t.org(), builtin))
                .map(rows -> toJson(rows.iterator().next()));
    }

    public Future<JsonObject> findForUpdate(Tenant t, UUID id) {
        return t.conn()
                .preparedQuery(SELECT + " AND a.id = $2 FOR UPDATE OF a")
                .execute(Tuple.of(t.org(), id))
                .map(rows -> rows.size() == 0 ? null : toJson(rows.iterator().next()));
    }

    public Future<JsonObject> insert(Tenant t, JsonObject body) {
        return t.conn()
                .preparedQuery(
                        "INSERT INTO access_levels (organization_id, name, description, record_scope, field_rights,"
                                + " permissions, name_key) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
                .execute(Tuple.from(new Object[] {
                    t.org(),
                    body.getString("name").trim(),
                    body.getString("description", ""),
                    body.getString("recordScope"),
                    body.getJsonObject("fieldRights"),
                    permissions(body),
                    Names.confusableKey(body.getString("name"))
                }))
                .recover(WRITE::translate)
                .compose(rows -> find(t, rows.iterator().next().getUUID("id")));
    }

    public Future<JsonObject> update(Tenant t, UUID id, JsonObject body) {
        return t.conn()
                .preparedQuery("UPDATE access_levels SET name = $3, description = $4, record_scope = $5,"
                        + " field_rights = $6, permissions = $7, name_key = $8, version = version + 1,"
                        + " updated_at = now()"
                        + " WHERE organization_id = $1 AND id = $2")
                .execute(Tuple.from(new Object[] {
                    t.org(),
                    id,
                    body.getString("name").trim(),
                    body.getString("description", ""),
                    body.getString("recordScope"),
                    body.getJsonObject("fieldRights"),
                    permissions(body),
                    Names.confusableKey(body.getString("name"))
                }))
                .recover(WRITE::translate)
                .compose(x -> find(t, id));
    }

    /** Every level's id and name (built-ins included), to compare names after confusable folding. */
    public Future<java.util.Map<UUID, String>> names(Tenant t) {
        return t.conn()
                .preparedQuery("SELECT id, name FROM access_levels WHERE organization_id = $1")
                .execute(Tuple.of(t.org()))
                .map(rows -> {
                    java.util.Map<UUID, String> out = new java.util.LinkedHashMap<>();
                    rows.forEach(r -> out.put(r.getUUID("id"), r.getString("name")));
                    return out;
                });
    }

    public Future<Boolean> delete(Tenant t, UUID id) {
        return t.conn()
                .preparedQuery("DELETE FROM access_levels WHERE organization_id = $1 AND id = $2 AND builtin IS NULL")
                .execute(Tuple.of(t.org(), id))
                .recover(DELETE::translate)
                .map(r -> r.rowCount() == 1);
    }

    private static String[] permissions(JsonObject body) {
        return body.getJsonArray("permissions").stream()
                .map(String::valueOf)
                .sorted()
                .toArray(String[]::new);
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
