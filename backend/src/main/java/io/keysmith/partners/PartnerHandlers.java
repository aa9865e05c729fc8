package io.keysmith.partners;

import io.keysmith.accesslevels.PermissionCatalog;
import io.keysmith.audit.AuditEvent;
import io.keysmith.audit.AuditRepository;
import io.keysmith.auth.Caller;
import io.keysmith.db.Db;
import io.keysmith.errors.Invalid;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The partner directory; picking a partner in the key wizard pre-selects its usual permissions. */
public final class PartnerHandlers {
    private final Db db;
    private final PartnerRepository partners;
    private final AuditRepository audit;
    private final PermissionCatalog catalog;
    private final ClientAddress client;

    public PartnerHandlers(
            Db db, PartnerRepository partners, AuditRepository audit, PermissionCatalog catalog, ClientAddress client) {
        this.db = db;
        this.partners = partners;
        this.audit = audit;
        this.catalog = catalog;
        this.client = client;
    }

    public void list(RoutingContext rc) {
        db.inOrganization(Caller.of(rc).organizationId(), partners::list)
                .onSuccess(items -> Responses.ok(rc, new JsonObject().put("items", items)))
                .onFailure(rc::fail);
    }

    public void create(RoutingContext rc) {
        Caller caller = Caller.of(rc);
        JsonObject body = RequestValidation.input(rc).bodyObject();
        for (Object p : body.getJsonArray("usualPermissions", new io.vertx.core.json.JsonArray())) {
            if (!catalog.isGrantable((String) p)) {
                throw new Invalid("usualPermissions", "Permission '" + p + "' is not in the permission catalog");
            }
        }
        db.inOrganization(
                        caller.organizationId(),
                        t -> partners.insert(t, body)
                                .compose(p -> audit.append(
                                                t,
                                                AuditEvent.by(
                                                                caller.userId(),
                                                                "partner.created",
                                                                "partner",
                                                                p.getString("id"),
                                                                client.address(rc))
                                                        .with("name", p.getString("name")))
                                        .map(p)))
                .onSuccess(p -> Responses.json(rc, 201, p))
                .onFailure(rc::fail);
    }
}
