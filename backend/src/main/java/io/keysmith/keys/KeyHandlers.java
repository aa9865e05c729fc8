package io.keysmith.keys;

import io.keysmith.auth.Caller;
import io.keysmith.errors.Invalid;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.Page;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

public final class KeyHandlers {
    private final KeyService keys;
    private final ApiTypes apiTypes;
    private final ClientAddress client;

    private final KeyVerifier verifier;
    private final VerifyHandler verifyHandler;

    public KeyHandlers(KeyService keys, ApiTypes apiTypes, ClientAddress client, KeyVerifier verifier) {
        this.keys = keys;
        this.apiTypes = apiTypes;
        this.client = client;
        this.verifier = verifier;
        this.verifyHandler = new VerifyHandler(client, verifier);
    }

    /** verify's handler lives with the verification classes (VerifyHandler); the route table takes it from here. */
    public io.keysmith.http.Exchange.Step verify() {
        return verifyHandler;
    }

    public void apiTypes(RoutingContext rc) {
        Responses.ok(rc, new JsonObject().put("items", apiTypes.toJson()));
    }

    public void create(RoutingContext rc) {
        reply(rc, 201, keys.create(Caller.of(rc), body(rc), client.address(rc)));
    }

    public void listMine(RoutingContext rc) {
        RequestValidation.Input in = RequestValidation.input(rc);
        int limit = Page.limit(in);
        page(rc, keys.listMine(Caller.of(rc), cursor(in), limit + 1), limit);
    }

    public void listAll(RoutingContext rc) {
        RequestValidation.Input in = RequestValidation.input(rc);
        int limit = Page.limit(in);
        page(
                rc,
                keys.listAll(
                        Caller.of(rc),
                        uuid(in.query().get("ownerUserId")),
                        (String) in.query().get("status"),
                        uuid(in.query().get("partnerId")),
                        (String) in.query().get("apiType"),
                        (String) in.query().get("q"),
                        cursor(in),
                        limit + 1),
                limit);
    }

    public void get(RoutingContext rc) {
        reply(rc, 200, keys.get(Caller.of(rc), id(rc)));
    }

    public void update(RoutingContext rc) {
        reply(rc, 200, keys.update(Caller.of(rc), id(rc), body(rc), client.address(rc)));
    }

    public void disable(RoutingContext rc) {
        reply(rc, 200, keys.setStatus(Caller.of(rc), id(rc), "DISABLED", client.address(rc)));
    }

    public void enable(RoutingContext rc) {
        reply(rc, 200, keys.setStatus(Caller.of(rc), id(rc), "ACTIVE", client.address(rc)));
    }

    public void revoke(RoutingContext rc) {
        reply(rc, 200, keys.setStatus(Caller.of(rc), id(rc), "REVOKED", client.address(rc)));
    }

    public void rotate(RoutingContext rc) {
        reply(
                rc,
                200,
                keys.rotate(Caller.of(rc), id(rc), body(rc).getInteger("gracePeriodSeconds"), client.address(rc)));
    }

    public void transfer(RoutingContext rc) {
        reply(
                rc,
                200,
                keys.transfer(
                        Caller.of(rc), id(rc), UUID.fromString(body(rc).getString("ownerUserId")), client.address(rc)));
    }

    public void policies(RoutingContext rc) {
        reply(rc, 200, keys.policies(Caller.of(rc)));
    }

    public void savePolicies(RoutingContext rc) {
        reply(rc, 200, keys.savePolicies(Caller.of(rc), body(rc), client.address(rc)));
    }

    private static JsonObject body(RoutingContext rc) {
        return RequestValidation.input(rc).bodyObject();
    }

    private static UUID id(RoutingContext rc) {
        return UUID.fromString(RequestValidation.input(rc).pathString("keyId"));
    }

    private static UUID uuid(Object o) {
        return o == null ? null : UUID.fromString((String) o);
    }

    private static UUID cursor(RequestValidation.Input in) {
        return Page.cursor(in)
                .map(c -> {
                    try {
                        return UUID.fromString(c);
                    } catch (IllegalArgumentException e) {
                        throw new Invalid("after", "Parameter 'after' is not a cursor this server issued");
                    }
                })
                .orElse(null);
    }

    private static void page(RoutingContext rc, Future<JsonArray> rows, int limit) {
        rows.onSuccess(r -> Responses.ok(rc, Page.of(r, limit, last -> Page.encode(last.getString("id")))))
                .onFailure(rc::fail);
    }

    private static void reply(RoutingContext rc, int status, Future<JsonObject> result) {
        result.onSuccess(body -> Responses.json(rc, status, body)).onFailure(rc::fail);
    }
}
