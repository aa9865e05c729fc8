package io.keysmith.people;

import io.keysmith.auth.Caller;
import io.keysmith.http.ApiProblem;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.Page;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

public final class PeopleHandlers {
    private final PeopleService service;
    private final ClientAddress client;

    public PeopleHandlers(PeopleService service, ClientAddress client) {
        this.service = service;
        this.client = client;
    }

    public void list(RoutingContext rc) {
        RequestValidation.Input in = RequestValidation.input(rc);
        int limit = Page.limit(in);
        UUID after = Page.cursor(in)
                .map(c -> {
                    try {
                        return UUID.fromString(c);
                    } catch (IllegalArgumentException e) {
                        throw ApiProblem.badRequest("Parameter 'after' is not a cursor this server issued", "after");
                    }
                })
                .orElse(null);
        service.list(
                        Caller.of(rc),
                        (String) in.query().get("department"),
                        (String) in.query().get("employmentStatus"),
                        after,
                        limit + 1)
                .onSuccess(rows -> Responses.ok(rc, Page.of(rows, limit, last -> Page.encode(last.getString("id")))))
                .onFailure(rc::fail);
    }

    public void get(RoutingContext rc) {
        service.get(Caller.of(rc), id(rc)).onSuccess(p -> Responses.ok(rc, p)).onFailure(rc::fail);
    }

    public void create(RoutingContext rc) {
        service.create(Caller.of(rc), RequestValidation.input(rc).bodyObject(), client.address(rc))
                .onSuccess(p -> Responses.json(rc, 201, p))
                .onFailure(rc::fail);
    }

    public void update(RoutingContext rc) {
        service.update(Caller.of(rc), id(rc), RequestValidation.input(rc).bodyObject(), client.address(rc))
                .onSuccess(p -> Responses.ok(rc, p))
                .onFailure(rc::fail);
    }

    public void delete(RoutingContext rc) {
        service.delete(Caller.of(rc), id(rc), client.address(rc))
                .onSuccess(x -> rc.response().setStatusCode(204).end())
                .onFailure(rc::fail);
    }

    private static UUID id(RoutingContext rc) {
        return UUID.fromString(RequestValidation.input(rc).pathString("personId"));
    }
}
