package io.keysmith.http;

import io.keysmith.accesslevels.AccessLevelHandlers;
import io.keysmith.audit.AuditHandlers;
import io.keysmith.auth.Guard;
import io.keysmith.auth.OperatorAuthentication;
import io.keysmith.auth.SessionAuthentication;
import io.keysmith.auth.SessionHandlers;
import io.keysmith.auth.SessionService;
import io.keysmith.keys.KeyFormatHandlers;
import io.keysmith.ops.HealthHandlers;
import io.keysmith.organizations.OrganizationHandlers;
import io.keysmith.people.PeopleHandlers;
import io.keysmith.users.UserHandlers;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.APIKeyHandler;
import io.vertx.ext.web.handler.SimpleAuthenticationHandler;
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
    public record Handlers(
            HealthHandlers health,
            KeyFormatHandlers keyFormat,
            SessionHandlers sessions,
            OrganizationHandlers organizations,
            UserHandlers users,
            AuditHandlers audit,
            AccessLevelHandlers accessLevels,
            PeopleHandlers people) {}

    /** How callers prove who they are, per security scheme of the contract. */
    public record Security(
            SessionAuthentication session, SessionService sessions, OperatorAuthentication operator) {}

    private Routes() {}

    static Map<String, Handler<RoutingContext>> table(Handlers h) {
        Map<String, Handler<RoutingContext>> t = new LinkedHashMap<>();
        t.put("getLiveness", h.health()::live);
        t.put("getReadiness", h.health()::ready);
        t.put("checkKeyFormat", h.keyFormat()::check);
        t.put("signUp", h.organizations()::signUp);
        t.put("createOrganizationAsOperator", h.organizations()::createAsOperator);
        t.put("signIn", h.sessions()::signIn);
        t.put("signOut", h.sessions()::signOut);
        t.put("getMe", h.sessions()::me);
        t.put("acceptInvitation", h.sessions()::acceptInvitation);
        t.put("listUsers", h.users()::list);
        t.put("createUser", h.users()::create);
        t.put("getUser", h.users()::get);
        t.put("updateUser", h.users()::update);
        t.put("deactivateUser", h.users()::deactivate);
        t.put("reactivateUser", h.users()::reactivate);
        t.put("createPasswordReset", h.users()::passwordReset);
        t.put("listAuditEvents", h.audit()::list);
        t.put("getPermissionCatalog", h.accessLevels()::catalog);
        t.put("listAccessLevels", h.accessLevels()::list);
        t.put("createAccessLevel", h.accessLevels()::create);
        t.put("getAccessLevel", h.accessLevels()::get);
        t.put("updateAccessLevel", h.accessLevels()::update);
        t.put("deleteAccessLevel", h.accessLevels()::delete);
        t.put("listPeople", h.people()::list);
        t.put("createPerson", h.people()::create);
        t.put("getPerson", h.people()::get);
        t.put("updatePerson", h.people()::update);
        t.put("deletePerson", h.people()::delete);
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

    public static Router build(Vertx vertx, OpenAPIContract contract, Handlers handlers, Security security) {
        Map<String, Handler<RoutingContext>> table = table(handlers);
        Set<String> missing = unbound(contract, table.keySet());
        if (!missing.isEmpty()) {
            throw new IllegalStateException("openapi.yaml operations without a handler: " + missing);
        }
        RequestValidation validation = new RequestValidation(contract);
        RouterBuilder rb = RouterBuilder.create(vertx, contract);
        rb.security("session").apiKeyHandler(APIKeyHandler.create(security.session()));
        // RouterBuilder's public API offers Basic, Digest and JWT handlers for http schemes only, so the operator's
        // opaque bearer token is authenticated by our own handler on the routes that declare it
        Handler<RoutingContext> operatorAuth =
                SimpleAuthenticationHandler.create().authenticate(security.operator()::authenticate);
        JsonObject paths = contract.getRawContract().getJsonObject("paths");
        table.forEach((operationId, handler) -> {
            OpenAPIRoute route = rb.getRoute(operationId);
            if (route == null) {
                throw new IllegalStateException("Route table names " + operationId + ", which openapi.yaml lacks");
            }
            Operation op = route.getOperation();
            JsonObject spec = paths.getJsonObject(op.getOpenAPIPath()).getJsonObject(op.getHttpMethod().name().toLowerCase());
            boolean operator = spec.getJsonArray("security").stream()
                    .anyMatch(r -> ((JsonObject) r).containsKey("operator"));
            if (operator) {
                route.setDoSecurity(false).addHandler(operatorAuth);
            }
            // authentication runs first (RouterBuilder adds it from the contract's security), then:
            route.setDoValidation(false)
                    .addHandler(Guard.forOperation(spec, op.getHttpMethod(), security.sessions()))
                    // validators compiled once per operation replace vertx-openapi's per-request ones (ADR 0004)
                    .addHandler(validation.forOperation(operationId))
                    .addHandler(handler);
        });
        return rb.createRouter();
    }
}
