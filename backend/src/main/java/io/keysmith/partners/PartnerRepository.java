package io.keysmith.partners;

import io.keysmith.db.DbErrors;
import io.keysmith.db.Tenant;
import io.keysmith.errors.Conflict;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Arrays;

/** All SQL of the partner directory: platform-wide entries (organization NULL) and the organization's own. */
public final class PartnerRepository {
    private static final String SELECT = "SELECT id, organization_id IS NULL AS platform_wide, name, website, contact,"
            + " usual_permissions, usual_field_rights FROM partners WHERE (organization_id IS NULL OR organization_id = $1)";

    /** Names are unique per organization (and among platform-wide entries) whatever their case (V4). */
    private static final DbErrors INSERT = DbErrors.declare()
            .unique("partners_name", () -> new Conflict("name-taken", "A partner with this name already exists"));

    public Future<JsonArray> list(Tenant t) {
        return t.conn()
                .preparedQuery(SELECT + " ORDER BY lower(name), id")
                .execute(Tuple.of(t.org()))
                .map(rows -> {
                    JsonArray out = new JsonArray();
                    rows.forEach(r -> out.add(toJson(r)));
                    return out;
                });
    }

    public Future<JsonObject> insert(Tenant t, JsonObject body) {
        return t.conn()
                .preparedQuery("INSERT INTO partners (organization_id, name, website, contact, usual_permissions,"
                        + " usual_field_rights) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
                .execute(Tuple.from(new Object[] {
                    t.org(),
                    body.getString("name").trim(),
                    body.getString("website"),
                    body.getString("contact"),
                    body.getJsonArray("usualPermissions", new JsonArray()).stream()
                            .map(String::valueOf)
                            .toArray(String[]::new),
                    body.getJsonObject("usualFieldRights", new JsonObject())
                }))
                .recover(INSERT::translate)
                .compose(rows -> t.conn()
                        .preparedQuery(SELECT + " AND id = $2")
                        .execute(Tuple.of(t.org(), rows.iterator().next().getUUID("id"))))
                .map(rows -> toJson(rows.iterator().next()));
    }

    static JsonObject toJson(Row r) {
        Object fields = r.getValue("usual_field_rights");
        JsonObject j = new JsonObject()
                .put("id", r.getUUID("id").toString())
                .put("name", r.getString("name"))
                .put("platformWide", r.getBoolean("platform_wide"))
                .put("usualPermissions", new JsonArray(Arrays.asList(r.getArrayOfStrings("usual_permissions"))))
                .put("usualFieldRights", fields instanceof JsonObject f ? f : new JsonObject());
        if (r.getString("website") != null) {
            j.put("website", r.getString("website"));
        }
        if (r.getString("contact") != null) {
            j.put("contact", r.getString("contact"));
        }
        return j;
    }
}
