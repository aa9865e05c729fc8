package io.keysmith.leastprivilege;

import io.keysmith.db.Tenant;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** All SQL of least privilege's own table: the "reduce to what it used" clicks, kept so that each can be undone. */
public final class LeastPrivilegeRepository {

    /** One reduction: the key's stored rights before it and what it set. */
    public record Reduction(
            UUID id,
            UUID key,
            OffsetDateTime reducedAt,
            UUID reducedBy,
            int windowDays,
            String previousMode,
            List<String> previousPermissions,
            JsonObject previousFieldRights,
            List<String> resultPermissions,
            JsonObject resultFieldRights,
            OffsetDateTime undoneAt,
            UUID undoneBy) {

        JsonObject toJson() {
            JsonObject j = new JsonObject()
                    .put("id", id.toString())
                    .put("reducedAt", reducedAt.toInstant().toString())
                    .put("reducedBy", reducedBy.toString())
                    .put("days", windowDays)
                    .put("previousPermissionMode", previousMode)
                    .put("previousPermissions", new io.vertx.core.json.JsonArray(previousPermissions))
                    .put("resultPermissions", new io.vertx.core.json.JsonArray(resultPermissions));
            if (undoneAt != null) {
                j.put("undoneAt", undoneAt.toInstant().toString()).put("undoneBy", undoneBy.toString());
            }
            return j;
        }
    }

    private static final String COLUMNS = "id, key_id, reduced_at, reduced_by, window_days, previous_mode,"
            + " previous_permissions, previous_field_rights, result_permissions, result_field_rights, undone_at,"
            + " undone_by";

    public Future<Void> insert(Tenant t, Reduction r) {
        return t.conn()
                .preparedQuery(
                        "INSERT INTO key_rights_reductions (id, organization_id, key_id, reduced_by, window_days,"
                                + " previous_mode, previous_permissions, previous_field_rights, result_permissions,"
                                + " result_field_rights) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .execute(Tuple.from(new Object[] {
                    r.id(),
                    t.org(),
                    r.key(),
                    r.reducedBy(),
                    r.windowDays(),
                    r.previousMode(),
                    r.previousPermissions().toArray(String[]::new),
                    r.previousFieldRights(),
                    r.resultPermissions().toArray(String[]::new),
                    r.resultFieldRights()
                }))
                .mapEmpty();
    }

    /** The key's latest reduction, or null. */
    public Future<Reduction> latest(Tenant t, UUID key) {
        return t.conn()
                .preparedQuery("SELECT " + COLUMNS + " FROM key_rights_reductions WHERE organization_id = $1"
                        + " AND key_id = $2 ORDER BY reduced_at DESC, id LIMIT 1")
                .execute(Tuple.of(t.org(), key))
                .map(rows -> rows.size() == 0 ? null : of(rows.iterator().next()));
    }

    /** A reduction of this key, locked for the undo (the key row is locked first by the key change). */
    public Future<Reduction> findForUpdate(Tenant t, UUID key, UUID id) {
        return t.conn()
                .preparedQuery("SELECT " + COLUMNS + " FROM key_rights_reductions WHERE organization_id = $1"
                        + " AND key_id = $2 AND id = $3 FOR UPDATE")
                .execute(Tuple.of(t.org(), key, id))
                .map(rows -> rows.size() == 0 ? null : of(rows.iterator().next()));
    }

    public Future<Void> markUndone(Tenant t, UUID id, UUID by) {
        return t.conn()
                .preparedQuery("UPDATE key_rights_reductions SET undone_at = now(), undone_by = $3"
                        + " WHERE organization_id = $1 AND id = $2 AND undone_at IS NULL")
                .execute(Tuple.of(t.org(), id, by))
                .mapEmpty();
    }

    private static Reduction of(Row r) {
        Object previousFields = r.getValue("previous_field_rights");
        Object resultFields = r.getValue("result_field_rights");
        return new Reduction(
                r.getUUID("id"),
                r.getUUID("key_id"),
                r.getOffsetDateTime("reduced_at"),
                r.getUUID("reduced_by"),
                r.getInteger("window_days"),
                r.getString("previous_mode"),
                Arrays.asList(r.getArrayOfStrings("previous_permissions")),
                previousFields instanceof JsonObject j ? j : null,
                Arrays.asList(r.getArrayOfStrings("result_permissions")),
                resultFields instanceof JsonObject j ? j : null,
                r.getOffsetDateTime("undone_at"),
                r.getUUID("undone_by"));
    }
}
