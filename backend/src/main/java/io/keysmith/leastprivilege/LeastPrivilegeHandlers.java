package io.keysmith.leastprivilege;

import io.keysmith.auth.Caller;
import io.keysmith.http.ClientAddress;
import io.keysmith.http.RequestValidation;
import io.keysmith.http.Responses;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Least privilege over HTTP: a key's report, the organization's, a shadow run, reduce and undo. */
public final class LeastPrivilegeHandlers {
    private final LeastPrivilegeService service;
    private final ClientAddress client;

    public LeastPrivilegeHandlers(LeastPrivilegeService service, ClientAddress client) {
        this.service = service;
        this.client = client;
    }

    public void key(RoutingContext rc) {
        RequestValidation.Input in = RequestValidation.input(rc);
        reply(rc, service.ofKey(Caller.of(rc), keyId(in), integer(in.query().get("days"))));
    }

    public void organization(RoutingContext rc) {
        RequestValidation.Input in = RequestValidation.input(rc);
        reply(
                rc,
                service.ofOrganization(
                        Caller.of(rc),
                        integer(in.query().get("days")),
                        integer(in.query().get("limit"))));
    }

    public void shadow(RoutingContext rc) {
        RequestValidation.Input in = RequestValidation.input(rc);
        JsonObject body = in.bodyObject();
        reply(
                rc,
                service.shadow(
                        Caller.of(rc), keyId(in), body.getInteger("days"), strings(body.getJsonArray("permissions"))));
    }

    public void reduce(RoutingContext rc) {
        RequestValidation.Input in = RequestValidation.input(rc);
        JsonObject body = in.bodyObject();
        reply(
                rc,
                service.reduce(
                        Caller.of(rc),
                        keyId(in),
                        body.getInteger("days"),
                        strings(body.getJsonArray("permissions")),
                        client.address(rc)));
    }

    public void undo(RoutingContext rc) {
        RequestValidation.Input in = RequestValidation.input(rc);
        reply(
                rc,
                service.undo(
                        Caller.of(rc),
                        keyId(in),
                        UUID.fromString(in.bodyObject().getString("reductionId")),
                        client.address(rc)));
    }

    private static UUID keyId(RequestValidation.Input in) {
        return UUID.fromString(in.pathString("keyId"));
    }

    private static Integer integer(Object o) {
        return o == null ? null : ((Number) o).intValue();
    }

    private static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        if (a != null) {
            a.forEach(x -> out.add((String) x));
        }
        return out;
    }

    private static void reply(RoutingContext rc, Future<JsonObject> result) {
        result.onSuccess(body -> Responses.ok(rc, body)).onFailure(rc::fail);
    }
}
