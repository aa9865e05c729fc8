package io.keysmith.people;

import io.keysmith.auth.Rights;
import io.keysmith.db.DbErrors;
import io.keysmith.db.Tenant;
import io.keysmith.errors.Conflict;
import io.keysmith.errors.Invalid;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * All SQL of people records. Column names come only from the fixed map below, never from the request; values are
 * always bind parameters.
 */
public final class PeopleRepository {
    /** API field -> column. */
    static final Map<String, String> COLUMNS = new LinkedHashMap<>();

    static {
        COLUMNS.put("userId", "user_id");
        COLUMNS.put("firstName", "first_name");
        COLUMNS.put("lastName", "last_name");
        COLUMNS.put("workEmail", "work_email");
        COLUMNS.put("jobTitle", "job_title");
        COLUMNS.put("department", "department");
        COLUMNS.put("managerId", "manager_id");
        COLUMNS.put("hireDate", "hire_date");
        COLUMNS.put("employmentStatus", "employment_status");
        COLUMNS.put("location", "location");
        COLUMNS.put("salary", "salary");
        COLUMNS.put("dateOfBirth", "date_of_birth");
        COLUMNS.put("nationalId", "national_id");
        COLUMNS.put("homeAddress", "home_address");
    }

    private static final String SELECT =
            "SELECT id, " + String.join(", ", COLUMNS.values()) + " FROM people WHERE organization_id = $1";

    /**
     * A page after the record {@code afterId} (from a cursor the server sealed, so one the caller was shown): by
     * (last name, first name, id) when {@code byName}, else by id.
     */
    public Future<JsonArray> list(
            Tenant t, UUID ownUserId, String department, String status, boolean byName, UUID afterId, int limit) {
        String after = byName
                ? " AND ($5::uuid IS NULL OR (last_name, first_name, id) >"
                        + " (SELECT p.last_name, p.first_name, p.id FROM people p WHERE p.organization_id = $1 AND p.id = $5))"
                        + " ORDER BY last_name, first_name, id LIMIT $6"
                : " AND ($5::uuid IS NULL OR id > $5) ORDER BY id LIMIT $6";
        return t.conn()
                .preparedQuery(SELECT
                        + " AND ($2::uuid IS NULL OR user_id = $2) AND ($3::text IS NULL OR department = $3)"
                        + " AND ($4::text IS NULL OR employment_status = $4)"
                        + after)
                .execute(Tuple.from(new Object[] {t.org(), ownUserId, department, status, afterId, limit}))
                .map(rows -> {
                    JsonArray out = new JsonArray();
                    rows.forEach(r -> out.add(toJson(r)));
                    return out;
                });
    }

    public Future<JsonObject> find(Tenant t, UUID id, boolean forUpdate) {
        return t.conn()
                .preparedQuery(SELECT + " AND id = $2" + (forUpdate ? " FOR UPDATE" : ""))
                .execute(Tuple.of(t.org(), id))
                .map(rows -> rows.size() == 0 ? null : toJson(rows.iterator().next()));
    }

    /** A manager or user id from elsewhere (or nowhere) violates a foreign key: say which field (V3). */
    private static final DbErrors WRITE = DbErrors.declare()
            .foreignKey("people_organization_id_manager_id_fkey", () -> noRecord("managerId"))
            .foreignKey("people_organization_id_user_id_fkey", () -> noRecord("userId"))
            .unique(
                    "people_user",
                    () -> new Conflict("user-has-record", "That user is already linked to another record"));

    /** The same self-referencing key, tripped from the other end: the record still manages others. */
    private static final DbErrors DELETE = DbErrors.declare()
            .foreignKey(
                    "people_organization_id_manager_id_fkey",
                    () -> new Invalid(
                            null, "This person is the manager of other records: give them another manager first"));

    private static Invalid noRecord(String field) {
        return new Invalid(field, "Field '" + field + "' names no record of this organization");
    }

    public Future<JsonObject> insert(Tenant t, JsonObject fields) {
        List<String> cols = new ArrayList<>(List.of("organization_id"));
        List<Object> values = new ArrayList<>(List.of(t.org()));
        fields.forEach(e -> {
            cols.add(COLUMNS.get(e.getKey()));
            values.add(toDb(e.getKey(), e.getValue()));
        });
        StringBuilder params = new StringBuilder();
        for (int i = 1; i <= cols.size(); i++) {
            params.append(i == 1 ? "$" : ", $").append(i);
        }
        return t.conn()
                .preparedQuery(
                        "INSERT INTO people (" + String.join(", ", cols) + ") VALUES (" + params + ") RETURNING id")
                .execute(Tuple.from(values))
                .recover(WRITE::translate)
                .compose(rows -> find(t, rows.iterator().next().getUUID("id"), false));
    }

    public Future<JsonObject> update(Tenant t, UUID id, JsonObject fields) {
        List<Object> values = new ArrayList<>(List.of(t.org(), id));
        StringBuilder set = new StringBuilder("version = version + 1, updated_at = now()");
        fields.forEach(e -> {
            values.add(toDb(e.getKey(), e.getValue()));
            set.append(", ").append(COLUMNS.get(e.getKey())).append(" = $").append(values.size());
        });
        return t.conn()
                .preparedQuery("UPDATE people SET " + set + " WHERE organization_id = $1 AND id = $2")
                .execute(Tuple.from(values))
                .recover(WRITE::translate)
                .compose(x -> find(t, id, false));
    }

    public Future<Boolean> delete(Tenant t, UUID id) {
        return t.conn()
                .preparedQuery("DELETE FROM people WHERE organization_id = $1 AND id = $2")
                .execute(Tuple.of(t.org(), id))
                .recover(DELETE::translate)
                .map(r -> r.rowCount() == 1);
    }

    /** An active or inactive user of this organization and their level's rights (On-Behalf-Of), or null. */
    public record User(boolean active, Rights rights) {}

    public Future<User> user(Tenant t, UUID userId) {
        return t.conn()
                .preparedQuery("SELECT u.status, a.builtin, a.record_scope, a.field_rights, a.permissions FROM users u"
                        + " JOIN access_levels a ON a.organization_id = u.organization_id AND a.id = u.access_level_id"
                        + " WHERE u.organization_id = $1 AND u.id = $2")
                .execute(Tuple.of(t.org(), userId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    JsonObject fields = r.getValue("field_rights") instanceof JsonObject f ? f : new JsonObject();
                    Rights rights = Rights.fromJson(new JsonObject()
                            .put("builtin", r.getString("builtin"))
                            .put("recordScope", r.getString("record_scope"))
                            .put("fieldRights", fields)
                            .put("permissions", new JsonArray(List.of(r.getArrayOfStrings("permissions")))));
                    return new User("ACTIVE".equals(r.getString("status")), rights);
                });
    }

    /** The organization's policies on people writes (V11): {requireIfMatch, requireOnBehalfOf}. */
    public record WritePolicies(boolean requireIfMatch, boolean requireOnBehalfOf) {}

    public Future<WritePolicies> writePolicies(Tenant t) {
        return t.conn()
                .preparedQuery("SELECT require_if_match, require_on_behalf_of FROM organization_policies"
                        + " WHERE organization_id = $1")
                .execute(Tuple.of(t.org()))
                .map(rows -> rows.size() == 0
                        ? new WritePolicies(false, false)
                        : new WritePolicies(
                                rows.iterator().next().getBoolean("require_if_match"),
                                rows.iterator().next().getBoolean("require_on_behalf_of")));
    }

    private static Object toDb(String field, Object value) {
        if (value == null) {
            return null;
        }
        return switch (field) {
            case "userId", "managerId" -> UUID.fromString((String) value);
            case "hireDate", "dateOfBirth" -> LocalDate.parse((String) value);
            case "salary" -> new BigDecimal(value.toString());
            default -> value;
        };
    }

    static JsonObject toJson(Row r) {
        JsonObject j = new JsonObject().put("id", r.getUUID("id").toString());
        COLUMNS.forEach((field, column) -> {
            Object v = r.getValue(column);
            if (v == null) {
                return;
            }
            if (v instanceof io.vertx.sqlclient.data.Numeric n) {
                j.put(field, n.doubleValue());
            } else if (v instanceof BigDecimal b) {
                j.put(field, b.doubleValue());
            } else {
                j.put(field, v.toString());
            }
        });
        return j;
    }
}
