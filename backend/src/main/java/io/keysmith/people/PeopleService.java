package io.keysmith.people;

import io.keysmith.audit.AuditEvent;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.Caller;
import io.keysmith.auth.Rights;
import io.keysmith.db.Db;
import io.keysmith.errors.Forbidden;
import io.keysmith.errors.Invalid;
import io.keysmith.errors.NotFound;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * Field-level rights on people records. Reads show only the fields the caller may view (absent, not null); a write
 * touching a field the caller may not edit is refused naming the field, before anything changes. Record scope OWN
 * reaches only the record linked to the caller's user. Audit records name changed fields, never values.
 */
public final class PeopleService {
    private final Db db;
    private final PeopleRepository people;
    private final AuditRepository audit;

    public PeopleService(Db db, PeopleRepository people, AuditRepository audit) {
        this.db = db;
        this.people = people;
        this.audit = audit;
    }

    /**
     * The order of a list: by name only for a caller who may view both names, else by id, a stable order that
     * reveals nothing (an order by a hidden field tells its values' order).
     */
    public enum Order {
        NAME,
        ID;

        public static Order of(Rights rights) {
            return rights.canView("lastName") && rights.canView("firstName") ? NAME : ID;
        }
    }

    public Future<JsonArray> list(Caller caller, String department, String status, Order order, UUID after, int limit) {
        Rights rights = caller.rights();
        // filtering on a field is reading it: which records match would reveal the hidden values
        for (String[] filter : new String[][] {{"department", department}, {"employmentStatus", status}}) {
            if (filter[1] != null && !rights.canView(filter[0])) {
                return Future.failedFuture(new Forbidden(
                        "field-not-viewable",
                        "You may not filter on the field '" + filter[0] + "': you cannot view it",
                        filter[0]));
            }
        }
        UUID own = rights.allRecords() ? null : caller.userId();
        return db.inOrganization(
                        caller.organizationId(),
                        c -> people.list(c, own, department, status, order == Order.NAME, after, limit))
                .map(rows -> {
                    JsonArray out = new JsonArray();
                    rows.forEach(r -> out.add(visible(rights, (JsonObject) r)));
                    return out;
                });
    }

    /** What the caller may see of a record: the fields they may view, nothing else (absent, not null). */
    public static JsonObject visible(Rights rights, JsonObject person) {
        JsonObject v = new JsonObject().put("id", person.getString("id"));
        if (person.containsKey("userId") && rights.allRecords()) {
            v.put("userId", person.getString("userId"));
        }
        person.forEach(e -> {
            if (!e.getKey().equals("id") && !e.getKey().equals("userId") && rights.canView(e.getKey())) {
                v.put(e.getKey(), e.getValue());
            }
        });
        return v;
    }

    public Future<JsonObject> get(Caller caller, UUID id) {
        return db.inOrganization(caller.organizationId(), c -> people.find(c, id, false))
                .map(p -> visible(caller.rights(), reachable(caller, p)));
    }

    public Future<JsonObject> create(Caller caller, JsonObject body, String source) {
        Rights rights = caller.rights();
        if (!rights.allRecords()) {
            return Future.failedFuture(
                    new Forbidden("record-scope", "Your access level reaches only your own record", null));
        }
        for (String required : new String[] {"firstName", "lastName"}) {
            if (body.getValue(required) == null) {
                return Future.failedFuture(new Invalid(required, "Field '" + required + "' is required"));
            }
        }
        checkEditable(rights, body);
        return db.inOrganization(
                caller.organizationId(),
                c -> people.insert(c, body)
                        .compose(p -> audit.append(
                                        c,
                                        AuditEvent.by(
                                                        caller.userId(),
                                                        "person.created",
                                                        "person",
                                                        p.getString("id"),
                                                        source)
                                                .with("fields", fieldNames(body)))
                                .map(x -> visible(rights, p))));
    }

    public Future<JsonObject> update(Caller caller, UUID id, JsonObject body, String source) {
        Rights rights = caller.rights();
        return db.inOrganization(
                caller.organizationId(),
                c -> people.find(c, id, true).compose(p -> {
                    reachable(caller, p);
                    checkEditable(rights, body);
                    if (body.isEmpty()) {
                        return Future.succeededFuture(visible(rights, p));
                    }
                    return people.update(c, id, body)
                            .compose(after -> audit.append(
                                            c,
                                            AuditEvent.by(caller.userId(), "person.updated", "person", id, source)
                                                    .with("fields", fieldNames(body)))
                                    .map(x -> visible(rights, after)));
                }));
    }

    public Future<Void> delete(Caller caller, UUID id, String source) {
        return db.inOrganization(
                caller.organizationId(),
                c -> people.find(c, id, true).compose(p -> {
                    reachable(caller, p);
                    if (!caller.rights().allRecords()) {
                        return Future.failedFuture(
                                new Forbidden("record-scope", "Your access level reaches only your own record", null));
                    }
                    return people.delete(c, id)
                            .compose(x -> audit.append(
                                    c, AuditEvent.by(caller.userId(), "person.deleted", "person", id, source)));
                }));
    }

    /** Another organization's record and a record outside the caller's scope are both simply not there. */
    private static JsonObject reachable(Caller caller, JsonObject p) {
        if (p == null
                || (!caller.rights().allRecords() && !caller.userId().toString().equals(p.getString("userId")))) {
            throw new NotFound("No such person");
        }
        return p;
    }

    private static void checkEditable(Rights rights, JsonObject body) {
        for (String field : body.fieldNames()) {
            boolean allowed =
                    field.equals("userId") ? rights.allRecords() && rights.has("users:manage") : rights.canEdit(field);
            if (!allowed) {
                throw new Forbidden("field-not-editable", "You may not edit the field '" + field + "'", field);
            }
        }
    }

    private static JsonArray fieldNames(JsonObject body) {
        return new JsonArray(body.fieldNames().stream().sorted().toList());
    }
}
