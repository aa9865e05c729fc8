package io.keysmith.accesslevels;

import io.keysmith.auth.Caller;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

public final class AccessLevelHandlers {
    private final AccessLevelService service;
    private final PermissionCatalog catalog;
    private final ClientAddress client;

    public AccessLevelHandlers(AccessLevelService service, PermissionCatalog catalog, ClientAddress client) {
        this.service = service;
        this.catalog = catalog;
        this.client = client;
    }

    public void catalog(RoutingContext rc) {
        Responses.ok(rc, catalog.toJson());
    }

    public void list(RoutingContext rc) {
        service.list(Caller.of(rc))
                .onSuccess(items -> Responses.ok(rc, new JsonObject().put("items", items)))
                .onFailure(rc::fail);
    }

    public void get(RoutingContext rc) {
        service.get(Caller.of(rc), id(rc)).onSuccess(l -> Responses.ok(rc, l)).onFailure(rc::fail);
    }

    public void create(RoutingContext rc) {
        service.create(Caller.of(rc), RequestValidation.input(rc).bodyObject(), client.address(rc))
                .onSuccess(l -> Responses.json(rc, 201, l))
                .onFailure(rc::fail);
    }

    public void update(RoutingContext rc) {
        service.update(Caller.of(rc), id(rc), RequestValidation.input(rc).bodyObject(), client.address(rc))
                .onSuccess(l -> Responses.ok(rc, l))
                .onFailure(rc::fail);
    }

    public void delete(RoutingContext rc) {
        service.delete(Caller.of(rc), id(rc), client.address(rc))
                .onSuccess(x -> rc.response().setStatusCode(204).end())
                .onFailure(rc::fail);
    }

    private static UUID id(RoutingContext rc) {
        return UUID.fromString(RequestValidation.input(rc).pathString("accessLevelId"));
    }
}
