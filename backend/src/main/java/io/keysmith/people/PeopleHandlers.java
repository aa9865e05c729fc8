package io.keysmith.people;

import io.keysmith.auth.Caller;
import io.keysmith.errors.Invalid;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.Cursors;
import io.keysmith.http.Page;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

public final class PeopleHandlers {
    private final PeopleService service;
    private final ClientAddress client;
    private final Cursors cursors;

    public PeopleHandlers(PeopleService service, ClientAddress client, Cursors cursors) {
        this.service = service;
        this.client = client;
        this.cursors = cursors;
    }

    public void list(RoutingContext rc) {
        RequestValidation.Input in = RequestValidation.input(rc);
        int limit = Page.limit(in);
        Caller caller = Caller.of(rc);
        PeopleService.Order order = PeopleService.Order.of(caller.rights());
        // a cursor names the last row a page showed, sealed for this organization, caller, record scope and order:
        // it cannot be made from the id of a record the caller cannot see (issue 13 item 7)
        String binding = "listPeople|" + caller.organizationId() + "|" + caller.userId() + "|"
                + (caller.rights().allRecords() ? "ALL" : "OWN") + "|" + order;
        UUID after = null;
        Object given = in.query().get("after");
        if (given != null) {
            after = cursors.open(binding, (String) given)
                    .map(PeopleHandlers::uuid)
                    .orElseThrow(() -> new Invalid("after", "Parameter 'after' is not a cursor this server issued"));
        }
        service.list(
                        caller,
                        (String) in.query().get("department"),
                        (String) in.query().get("employmentStatus"),
                        order,
                        after,
                        limit + 1)
                .onSuccess(rows ->
                        Responses.ok(rc, Page.of(rows, limit, last -> cursors.seal(binding, last.getString("id")))))
                .onFailure(rc::fail);
    }

    private static UUID uuid(String s) {
        try {
            return UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public void get(RoutingContext rc) {
        service.get(Caller.of(rc), id(rc)).onSuccess(p -> answer(rc, 200, p)).onFailure(rc::fail);
    }

    public void create(RoutingContext rc) {
        service.create(write(rc), RequestValidation.input(rc).bodyObject())
                .onSuccess(p -> answer(rc, 201, p))
                .onFailure(rc::fail);
    }

    public void update(RoutingContext rc) {
        service.update(write(rc), id(rc), RequestValidation.input(rc).bodyObject())
                .onSuccess(p -> answer(rc, 200, p))
                .onFailure(rc::fail);
    }

    public void delete(RoutingContext rc) {
        service.delete(write(rc), id(rc))
                .onSuccess(x -> rc.response().setStatusCode(204).end())
                .onFailure(rc::fail);
    }

    /** The write's caller and its headers (checked against the contract already: a UUID, a bounded If-Match). */
    private PeopleService.Write write(RoutingContext rc) {
        return new PeopleService.Write(
                Caller.of(rc),
                rc.request().getHeader("On-Behalf-Of"),
                rc.request().getHeader("If-Match"),
                client.address(rc));
    }

    private static void answer(RoutingContext rc, int status, PeopleService.Seen seen) {
        rc.response().putHeader("ETag", seen.etag());
        Responses.json(rc, status, seen.person());
    }

    private static UUID id(RoutingContext rc) {
        return UUID.fromString(RequestValidation.input(rc).pathString("personId"));
    }
}
