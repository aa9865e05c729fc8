package io.keysmith.accesslevels;

import io.keysmith.audit.AuditEvent;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.Caller;
import io.keysmith.auth.Rights;
import io.keysmith.db.Db;
import io.keysmith.errors.Conflict;
import io.keysmith.errors.Forbidden;
import io.keysmith.errors.Invalid;
import io.keysmith.errors.NotFound;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Custom access levels and their rules: only catalog permissions, no escalation (a level can grant nothing its
 * editor does not hold, and nobody deletes a level granting more than they hold), built-ins never edited or deleted,
 * a level in use never deleted. Changes apply on the next request of every member (sessions read the level live)
 * and are audited with what changed.
 */
public final class AccessLevelService {
    private final Db db;
    private final AccessLevelRepository levels;
    private final AuditRepository audit;
    private final PermissionCatalog catalog;

    private java.util.function.Consumer<UUID> changed = org -> {};

    /** Called with the organization after a committed change that can alter what its keys may do. */
    public void onChange(java.util.function.Consumer<UUID> listener) {
        this.changed = listener;
    }

    public AccessLevelService(Db db, AccessLevelRepository levels, AuditRepository audit, PermissionCatalog catalog) {
        this.db = db;
        this.levels = levels;
        this.audit = audit;
        this.catalog = catalog;
    }

    public Future<JsonArray> list(Caller caller) {
        return db.inOrganization(caller.organizationId(), levels::list);
    }

    public Future<JsonObject> get(Caller caller, UUID id) {
        return db.inOrganization(caller.organizationId(), c -> levels.find(c, id))
                .map(AccessLevelService::found);
    }

    public Future<JsonObject> create(Caller caller, JsonObject body, String source) {
        Rights wanted = check(caller, body);
        return db.inOrganization(
                caller.organizationId(),
                c -> distinctName(c, null, body.getString("name"))
                        .compose(x -> levels.insert(c, body))
                        .compose(level -> audit.append(
                                        c,
                                        AuditEvent.by(
                                                        caller.userId(),
                                                        "access-level.created",
                                                        "access-level",
                                                        level.getString("id"),
                                                        source)
                                                .with("name", level.getString("name"))
                                                .with("after", summary(wanted)))
                                .map(level)));
    }

    public Future<JsonObject> update(Caller caller, UUID id, JsonObject body, String source) {
        Rights wanted = check(caller, body);
        return db.inOrganization(
                        caller.organizationId(),
                        c -> levels.findForUpdate(c, id)
                                .map(AccessLevelService::found)
                                .compose(before -> {
                                    if (!before.getBoolean("editable")) {
                                        return Future.failedFuture(builtin());
                                    }
                                    Rights.Uncovered beyond = caller.rights().firstNotCovered(Rights.fromJson(before));
                                    if (beyond != null) {
                                        // shrinking a stronger level would take rights from its holders: only
                                        // someone who holds them may change it (as for deletion)
                                        return Future.failedFuture(escalation(
                                                "You cannot change an access level granting " + beyond.description()
                                                        + ": your own access level does not hold it",
                                                beyond.field(before.getJsonArray("permissions"))));
                                    }
                                    return distinctName(c, id, body.getString("name"))
                                            .compose(x -> levels.update(c, id, body))
                                            .compose(after -> audit.append(
                                                            c,
                                                            AuditEvent.by(
                                                                            caller.userId(),
                                                                            "access-level.updated",
                                                                            "access-level",
                                                                            id,
                                                                            source)
                                                                    .with("name", after.getString("name"))
                                                                    .with("before", summary(Rights.fromJson(before)))
                                                                    .with("after", summary(wanted))
                                                                    .changed(AuditEvent.differing(
                                                                            before, after, body.fieldNames())))
                                                    .map(after));
                                }))
                .onSuccess(x -> changed.accept(caller.organizationId()));
    }

    public Future<Void> delete(Caller caller, UUID id, String source) {
        return db.inOrganization(
                caller.organizationId(),
                c -> levels.findForUpdate(c, id).map(AccessLevelService::found).compose(level -> {
                    if (!level.getBoolean("editable")) {
                        return Future.failedFuture(builtin());
                    }
                    Rights.Uncovered beyond = caller.rights().firstNotCovered(Rights.fromJson(level));
                    if (beyond != null) {
                        // like a change, a deletion is for levels within the caller's own rights
                        return Future.failedFuture(escalation(
                                "You cannot delete an access level granting " + beyond.description()
                                        + ": your own access level does not hold it",
                                beyond.field(level.getJsonArray("permissions"))));
                    }
                    if (level.getInteger("userCount") > 0) {
                        return Future.failedFuture(new Conflict(
                                "access-level-in-use",
                                "Move its " + level.getInteger("userCount")
                                        + " user(s) to another access level first"));
                    }
                    return levels.delete(c, id)
                            .compose(x -> audit.append(
                                    c,
                                    AuditEvent.by(caller.userId(), "access-level.deleted", "access-level", id, source)
                                            .with("name", level.getString("name"))));
                }));
    }

    /**
     * Rejects unknown permissions and anything the caller does not hold, naming the part of the body in {@code field}
     * as the request validator does ({@code permissions.<index>}, {@code recordScope}, {@code fieldRights.<field>});
     * returns the level's rights.
     */
    private Rights check(Caller caller, JsonObject body) {
        JsonArray permissions = body.getJsonArray("permissions");
        for (int i = 0; i < permissions.size(); i++) {
            Object p = permissions.getValue(i);
            if (!catalog.isGrantable((String) p)) {
                throw new Invalid("permissions." + i, "Permission '" + p + "' is not in the permission catalog");
            }
        }
        Rights wanted = Rights.fromJson(body);
        Rights.Uncovered missing = caller.rights().firstNotCovered(wanted);
        if (missing != null) {
            throw escalation(
                    "You cannot grant " + missing.description() + ": your own access level does not hold it",
                    missing.field(permissions));
        }
        return wanted;
    }

    private static Forbidden escalation(String detail, String field) {
        return Forbidden.escalation(detail, field);
    }

    private static JsonObject summary(Rights r) {
        return new JsonObject()
                .put("recordScope", r.recordScope())
                .put("permissions", new JsonArray(new java.util.ArrayList<>(new TreeSet<>(r.permissions()))))
                .put("fieldRights", new JsonObject(new java.util.TreeMap<String, Object>(r.fieldRights())));
    }

    private static JsonObject found(JsonObject level) {
        if (level == null) {
            throw new NotFound("No such access level");
        }
        return level;
    }

    private static Conflict builtin() {
        return new Conflict("builtin-access-level", "Built-in access levels cannot be changed or deleted");
    }

    /**
     * No two levels whose names look alike ("Full Аdmin" with a Cyrillic А beside Full Admin, "PayroII" beside
     * "Payroll"): compared after confusable folding with every level of the organization, built-ins and levels older
     * than the stored key included; the unique index on the key closes the race between two new names.
     */
    private Future<Void> distinctName(io.keysmith.db.Tenant c, UUID self, String name) {
        String key = io.keysmith.text.Names.confusableKey(name);
        return levels.names(c).compose(all -> {
            for (var e : all.entrySet()) {
                if (!e.getKey().equals(self)
                        && io.keysmith.text.Names.confusableKey(e.getValue()).equals(key)) {
                    return Future.failedFuture(new Conflict(
                            "name-taken",
                            "An access level named '" + e.getValue() + "' already exists and looks the same",
                            "name"));
                }
            }
            return Future.succeededFuture();
        });
    }
}
