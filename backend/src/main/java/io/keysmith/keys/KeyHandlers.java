package io.keysmith.keys;

import io.keysmith.auth.Caller;
import io.keysmith.http.ApiProblem;
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

    private final KeyAuthentication authentication;
    private final io.keysmith.usage.UsageMeter meter;
    private final io.keysmith.usage.KeyMetrics metrics;
    private final io.keysmith.usage.RateLimiter limiter;

    public KeyHandlers(
            KeyService keys,
            ApiTypes apiTypes,
            ClientAddress client,
            KeyAuthentication authentication,
            io.keysmith.usage.UsageMeter meter,
            io.keysmith.usage.KeyMetrics metrics,
            io.keysmith.usage.RateLimiter limiter) {
        this.limiter = limiter;
        this.meter = meter;
        this.metrics = metrics;
        this.keys = keys;
        this.apiTypes = apiTypes;
        this.client = client;
        this.authentication = authentication;
    }

    /** For gateways: the verdict on another key of the gateway's own organization; never reveals other organizations. */
    public void verify(RoutingContext rc) {
        Caller gateway = Caller.of(rc);
        JsonObject body = body(rc);
        JsonArray wanted = body.getJsonArray("permissions", new JsonArray());
        long start = System.nanoTime();
        authentication
                .verify(body.getString("key"), body.getString("ipAddress"))
                .onSuccess(v -> {
                    if (v.failure() != null || !gateway.organizationId().equals(v.org())) {
                        String code =
                                v.failure() == null || !gateway.organizationId().equals(v.org())
                                        ? "NOT_FOUND"
                                        : switch (v.failure()) {
                                            case MALFORMED, UNKNOWN -> "NOT_FOUND";
                                            case ADDRESS -> "IP_NOT_ALLOWED";
                                            default -> v.failure().name();
                                        };
                        metrics.verification(gateway.organizationId(), code, System.nanoTime() - start);
                        Responses.ok(rc, new JsonObject().put("valid", false).put("code", code));
                        return;
                    }
                    boolean permitted = wanted.stream().allMatch(v.permissions()::contains);
                    // a verification spends the verified key's budget, as the request it stands for would
                    io.keysmith.usage.RateLimiter.Decision limit =
                            permitted ? limiter.acquire(v.keyId(), v.ratePerMinute()) : null;
                    boolean allowed = permitted && limit.allowed();
                    String code = !permitted ? "INSUFFICIENT_PERMISSIONS" : allowed ? "VALID" : "RATE_LIMITED";
                    meter.record(
                            v.org(),
                            v.keyId(),
                            "verify",
                            !permitted
                                    ? io.keysmith.usage.UsageMeter.Outcome.DENIED
                                    : allowed
                                            ? io.keysmith.usage.UsageMeter.Outcome.ALLOWED
                                            : io.keysmith.usage.UsageMeter.Outcome.RATE_LIMITED,
                            body.getString("ipAddress"));
                    metrics.verification(v.org(), code, System.nanoTime() - start);
                    JsonObject answer = new JsonObject()
                            .put("valid", allowed)
                            .put("code", code)
                            .put("keyId", v.keyId().toString())
                            .put("organizationId", v.org().toString())
                            .put("ownerId", v.owner().toString())
                            .put("apiType", v.apiType())
                            .put("permissions", new JsonArray(java.util.List.copyOf(v.permissions())));
                    if (v.expiresAt() != null) {
                        answer.put("expiresAt", v.expiresAt().toInstant().toString());
                    }
                    if (limit != null && limit.limit() > 0 && body.getBoolean("includeRemaining", false)) {
                        answer.put("remaining", limit.remaining())
                                .put("limit", limit.limit())
                                .put("resetSeconds", limit.resetSeconds());
                    }
                    Responses.ok(rc, answer);
                })
                .onFailure(rc::fail);
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
                        throw ApiProblem.badRequest("Parameter 'after' is not a cursor this server issued", "after");
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
