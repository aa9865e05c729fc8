package io.keysmith.partners;

import io.keysmith.accesslevels.PermissionCatalog;
import io.keysmith.audit.AuditEvent;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.Caller;
import io.keysmith.db.Db;
import io.keysmith.errors.Invalid;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The partner directory's rules: the platform-wide entries plus the organization's own; a partner's usual
 * permissions must be grantable ones of the catalog; names are unique (the repository declares the constraint); every addition is audited.
 */
public final class PartnerService {
    private final Db db;
    private final PartnerRepository partners;
    private final AuditRepository audit;
    private final PermissionCatalog catalog;

    public PartnerService(Db db, PartnerRepository partners, AuditRepository audit, PermissionCatalog catalog) {
        this.db = db;
        this.partners = partners;
        this.audit = audit;
        this.catalog = catalog;
    }

    public Future<JsonArray> list(Caller caller) {
        return db.inOrganization(caller.organizationId(), partners::list);
    }

    /** {@code source} is the caller's address, for the audit event. */
    public Future<JsonObject> create(Caller caller, JsonObject body, String source) {
        for (Object p : body.getJsonArray("usualPermissions", new JsonArray())) {
            if (!catalog.isGrantable((String) p)) {
                throw new Invalid("usualPermissions", "Permission '" + p + "' is not in the permission catalog");
            }
        }
        return db.inOrganization(
                caller.organizationId(),
                t -> partners.insert(t, body)
                        .compose(p -> audit.append(
                                        t,
                                        AuditEvent.by(
                                                        caller.userId(),
                                                        "partner.created",
                                                        "partner",
                                                        p.getString("id"),
                                                        source)
                                                .with("name", p.getString("name")))
                                .map(p)));
    }
}
