package io.keysmith.webhooks;

import io.keysmith.auth.Caller;
import io.keysmith.http.ApiProblem;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.Page;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.UUID;

/** Webhook endpoints and their delivery log (session, keys:manage-all: the contract's x-permission). */
public final class WebhookHandlers {
    private final WebhookService webhooks;
    private final ClientAddress client;

    public WebhookHandlers(WebhookService webhooks, ClientAddress client) {
        this.webhooks = webhooks;
        this.client = client;
    }

    public void list(RoutingContext rc) {
        reply(rc, 200, webhooks.list(Caller.of(rc)));
    }

    public void create(RoutingContext rc) {
        reply(rc, 201, webhooks.create(Caller.of(rc), body(rc), client.address(rc)));
    }

    public void get(RoutingContext rc) {
        reply(rc, 200, webhooks.get(Caller.of(rc), id(rc, "endpointId")));
    }

    public void update(RoutingContext rc) {
        reply(rc, 200, webhooks.update(Caller.of(rc), id(rc, "endpointId"), body(rc), client.address(rc)));
    }

    public void delete(RoutingContext rc) {
        webhooks.delete(Caller.of(rc), id(rc, "endpointId"), client.address(rc))
                .onSuccess(x -> rc.response().setStatusCode(204).end())
                .onFailure(rc::fail);
    }

    public void rotate(RoutingContext rc) {
        reply(rc, 200, webhooks.rotate(Caller.of(rc), id(rc, "endpointId"), body(rc), client.address(rc)));
    }

    public void test(RoutingContext rc) {
        reply(rc, 202, webhooks.test(Caller.of(rc), id(rc, "endpointId")));
    }

    public void replay(RoutingContext rc) {
        reply(rc, 202, webhooks.replay(Caller.of(rc), id(rc, "endpointId"), id(rc, "deliveryId")));
    }

    public void deliveries(RoutingContext rc) {
        RequestValidation.Input in = RequestValidation.input(rc);
        int limit = Page.limit(in);
        Optional<String> cursor = Page.cursor(in);
        OffsetDateTime beforeAt = null;
        UUID beforeId = null;
        if (cursor.isPresent()) {
            String[] parts = cursor.get().split("\\|", 2);
            try {
                beforeAt = OffsetDateTime.parse(parts[0]);
                beforeId = UUID.fromString(parts[1]);
            } catch (DateTimeParseException | IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
                throw ApiProblem.badRequest("Parameter 'after' is not a cursor this server issued", "after");
            }
        }
        webhooks.deliveries(Caller.of(rc), id(rc, "endpointId"), beforeAt, beforeId, limit + 1)
                .map(rows -> Page.of(rows, limit, d -> Page.encode(d.getString("createdAt") + "|" + d.getString("id"))))
                .onSuccess(page -> Responses.ok(rc, page))
                .onFailure(rc::fail);
    }

    private static JsonObject body(RoutingContext rc) {
        Object body = RequestValidation.input(rc).body();
        return body instanceof JsonObject j ? j : new JsonObject();
    }

    private static UUID id(RoutingContext rc, String name) {
        return UUID.fromString(RequestValidation.input(rc).pathString(name));
    }

    private static void reply(RoutingContext rc, int status, Future<JsonObject> result) {
        result.onSuccess(body -> Responses.json(rc, status, body)).onFailure(rc::fail);
    }
}
