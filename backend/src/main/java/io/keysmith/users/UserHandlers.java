package io.keysmith.users;

import io.keysmith.auth.Caller;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.Page;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

public final class UserHandlers {
    private final UserService users;
    private final ClientAddress client;

    public UserHandlers(UserService users, ClientAddress client) {
        this.users = users;
        this.client = client;
    }

    public void list(RoutingContext rc) {
        RequestValidation.Input in = RequestValidation.input(rc);
        int limit = Page.limit(in);
        users.list(
                        Caller.of(rc),
                        (String) in.query().get("status"),
                        (String) in.query().get("kind"),
                        (String) in.query().get("q"),
                        Page.cursor(in).orElse(null),
                        limit + 1)
                .onSuccess(rows -> Responses.ok(
                        rc,
                        Page.of(
                                rows,
                                limit,
                                last -> Page.encode(last.getString("createdAt") + "|" + last.getString("id")))))
                .onFailure(rc::fail);
    }

    public void create(RoutingContext rc) {
        reply(
                rc,
                201,
                users.create(
                        Caller.of(rc),
                        RequestValidation.input(rc).bodyObject(),
                        client.publicBase(),
                        client.address(rc)));
    }

    public void get(RoutingContext rc) {
        reply(rc, 200, users.get(Caller.of(rc), id(rc)));
    }

    public void update(RoutingContext rc) {
        reply(
                rc,
                200,
                users.update(Caller.of(rc), id(rc), RequestValidation.input(rc).bodyObject(), client.address(rc)));
    }

    public void deactivate(RoutingContext rc) {
        reply(rc, 200, users.deactivate(Caller.of(rc), id(rc), client.address(rc)));
    }

    public void reactivate(RoutingContext rc) {
        reply(rc, 200, users.reactivate(Caller.of(rc), id(rc), client.address(rc)));
    }

    public void passwordReset(RoutingContext rc) {
        reply(rc, 201, users.passwordReset(Caller.of(rc), id(rc), client.publicBase(), client.address(rc)));
    }

    private static UUID id(RoutingContext rc) {
        return UUID.fromString(RequestValidation.input(rc).pathString("userId"));
    }

    private static void reply(RoutingContext rc, int status, Future<JsonObject> result) {
        result.onSuccess(body -> Responses.json(rc, status, body)).onFailure(rc::fail);
    }
}
