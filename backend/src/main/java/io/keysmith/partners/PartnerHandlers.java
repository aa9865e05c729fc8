package io.keysmith.partners;

import io.keysmith.auth.Caller;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The partner directory; picking a partner in the key wizard pre-selects its usual permissions. */
public final class PartnerHandlers {
    private final PartnerService partners;
    private final ClientAddress client;

    public PartnerHandlers(PartnerService partners, ClientAddress client) {
        this.partners = partners;
        this.client = client;
    }

    public void list(RoutingContext rc) {
        partners.list(Caller.of(rc))
                .onSuccess(items -> Responses.ok(rc, new JsonObject().put("items", items)))
                .onFailure(rc::fail);
    }

    public void create(RoutingContext rc) {
        partners.create(Caller.of(rc), RequestValidation.input(rc).bodyObject(), client.address(rc))
                .onSuccess(p -> Responses.json(rc, 201, p))
                .onFailure(rc::fail);
    }
}
