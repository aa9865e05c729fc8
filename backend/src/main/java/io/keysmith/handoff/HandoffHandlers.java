package io.keysmith.handoff;

import io.keysmith.auth.Caller;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/** One-time hand-off links: made and watched by the key's holder (session), revealed by a partner (no account). */
public final class HandoffHandlers {
    private final HandoffService handoffs;
    private final ClientAddress client;

    public HandoffHandlers(HandoffService handoffs, ClientAddress client) {
        this.handoffs = handoffs;
        this.client = client;
    }

    public void create(RoutingContext rc) {
        RequestValidation.Input in = RequestValidation.input(rc);
        reply(
                rc,
                201,
                handoffs.create(
                        Caller.of(rc), UUID.fromString(in.pathString("keyId")), in.bodyObject(), client.address(rc)));
    }

    public void list(RoutingContext rc) {
        reply(
                rc,
                200,
                handoffs.list(
                        Caller.of(rc),
                        UUID.fromString(RequestValidation.input(rc).pathString("keyId"))));
    }

    public void withdraw(RoutingContext rc) {
        reply(rc, 200, handoffs.withdraw(Caller.of(rc), id(rc), client.address(rc)));
    }

    public void state(RoutingContext rc) {
        reply(rc, 200, handoffs.state(id(rc)));
    }

    public void reveal(RoutingContext rc) {
        RequestValidation.Input in = RequestValidation.input(rc);
        reply(rc, 200, handoffs.reveal(id(rc), in.bodyObject().getString("proof"), client.address(rc)));
    }

    private static UUID id(RoutingContext rc) {
        return UUID.fromString(RequestValidation.input(rc).pathString("handoffId"));
    }

    private static void reply(RoutingContext rc, int status, Future<JsonObject> result) {
        result.onSuccess(body -> Responses.json(rc, status, body)).onFailure(rc::fail);
    }
}
