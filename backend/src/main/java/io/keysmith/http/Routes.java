package io.keysmith.http;

import io.keysmith.keys.KeyFormatHandlers;
import io.keysmith.ops.HealthHandlers;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The route table: every operationId of openapi.yaml, one line each, bound to its handler. */
public final class Routes {

    /** The handlers of every feature, built by the composition root. */
    public record Handlers(HealthHandlers health, KeyFormatHandlers keyFormat) {}

    private Routes() {}

    static Map<String, Handler<RoutingContext>> table(Handlers h) {
        Map<String, Handler<RoutingContext>> t = new LinkedHashMap<>();
        t.put("getLiveness", h.health()::live);
        t.put("getReadiness", h.health()::ready);
        t.put("checkKeyFormat", h.keyFormat()::check);
        return t;
    }

    /** Operations of the contract without a handler; start-up refuses to serve a contract it does not implement. */
    public static Set<String> unbound(OpenAPIContract contract, Set<String> bound) {
        Set<String> missing = new TreeSet<>();
        for (Operation op : contract.operations()) {
            if (!bound.contains(op.getOperationId())) {
                missing.add(op.getOperationId());
            }
        }
        return missing;
    }

    public static Set<String> boundOperationIds(Handlers h) {
        return table(h).keySet();
    }

    public static Router build(Vertx vertx, OpenAPIContract contract, Handlers handlers) {
        Map<String, Handler<RoutingContext>> table = table(handlers);
        Set<String> missing = unbound(contract, table.keySet());
        if (!missing.isEmpty()) {
            throw new IllegalStateException("openapi.yaml operations without a handler: " + missing);
        }
        RequestValidation validation = new RequestValidation(contract);
        RouterBuilder rb = RouterBuilder.create(vertx, contract);
        table.forEach((operationId, handler) -> {
            OpenAPIRoute route = rb.getRoute(operationId);
            if (route == null) {
                throw new IllegalStateException("Route table names " + operationId + ", which openapi.yaml lacks");
            }
            // validators compiled once per operation replace vertx-openapi's per-request ones (ADR 0004)
            route.setDoValidation(false).addHandler(validation.forOperation(operationId)).addHandler(handler);
        });
        return rb.createRouter();
    }
}
