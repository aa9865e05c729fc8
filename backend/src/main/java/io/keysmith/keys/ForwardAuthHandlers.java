package io.keysmith.keys;

import io.keysmith.config.Cidr;
import io.keysmith.http.ApiProblem;
import io.keysmith.http.ClientAddress;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authorization.PermissionBasedAuthorization;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SimpleAuthenticationHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import java.net.InetAddress;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Forward authentication for gateways that cannot send a body: the partner's key arrives in the forwarded
 * Authorization header, the original method and URI in X-Forwarded-* / X-Original-* headers; the answer is the
 * decision for the operation of the contract that the URI names. The gateway is trusted through its own
 * Verification key or its source address, so this is no key-guessing oracle (failures are throttled per address).
 */
public final class ForwardAuthHandlers {
    private final OpenAPIContract contract;
    private final JsonObject paths;
    private final KeyAuthHandler keys;
    private final KeyAuthentication authentication;
    private final ClientAddress client;
    private final List<Cidr> gatewayCidrs;

    private final io.keysmith.usage.UsageMeter meter;
    private final io.keysmith.usage.KeyMetrics metrics;

    public ForwardAuthHandlers(
            OpenAPIContract contract,
            KeyAuthHandler keys,
            KeyAuthentication authentication,
            ClientAddress client,
            List<Cidr> gatewayCidrs,
            io.keysmith.usage.UsageMeter meter,
            io.keysmith.usage.KeyMetrics metrics) {
        this.meter = meter;
        this.metrics = metrics;
        this.contract = contract;
        this.paths = contract == null ? null : contract.getRawContract().getJsonObject("paths");
        this.keys = keys;
        this.authentication = authentication;
        this.client = client;
        this.gatewayCidrs = gatewayCidrs;
    }

    /** Authenticates the gateway: its Verification key in X-Keysmith-Gateway-Key, or a trusted source address. */
    public Handler<RoutingContext> gatewayAuthentication() {
        return SimpleAuthenticationHandler.create().authenticate(rc -> {
            String address = client.address(rc);
            String gatewayKey = rc.request().getHeader("X-Keysmith-Gateway-Key");
            if (gatewayKey != null) {
                return keys.fromAuthorization("Bearer " + gatewayKey, address, "Verification");
            }
            if (inGatewayCidrs(address)) {
                return Future.succeededFuture(User.create(new JsonObject().put("gateway", address)));
            }
            return Future.failedFuture(KeyAuthHandler.unauthenticated(
                    "The gateway must present its Verification key or call from KEYSMITH_GATEWAY_CIDRS", false));
        });
    }

    public void forwardAuth(RoutingContext rc) {
        MultiMap h = rc.request().headers();
        String method = first(h.get("X-Forwarded-Method"), h.get("X-Original-Method"), "GET");
        String uri = first(h.get("X-Forwarded-Uri"), h.get("X-Original-URI"), null);
        if (uri == null) {
            throw ApiProblem.badRequest(
                    "Forward X-Forwarded-Uri (or X-Original-URI) with the original request URI", "X-Forwarded-Uri");
        }
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        if (q >= 0 && KeyAuthHandler.keyInQuery(queryOf(uri))) {
            throw KeyAuthHandler.keyInUrl();
        }
        Operation op;
        try {
            op = contract.findOperation(path, HttpMethod.valueOf(method.toUpperCase()));
        } catch (IllegalArgumentException e) {
            op = null;
        }
        if (op == null) {
            throw new ApiProblem(
                    403,
                    "unknown-operation",
                    "Forbidden",
                    "No operation of the API matches " + method + " " + path,
                    null);
        }
        JsonObject spec = paths.getJsonObject(op.getOpenAPIPath())
                .getJsonObject(op.getHttpMethod().name().toLowerCase());
        String permission = spec.getString("x-permission");
        JsonArray tags = spec.getJsonArray("tags", new JsonArray());
        String gatewayOrg = rc.user().principal().getString("organizationId");
        String partnerAddress = first(h.get("X-Real-IP"), null, client.address(rc));
        long start = System.nanoTime();
        String operationId = op.getOperationId();
        rc.addEndHandler(v -> {
            io.keysmith.usage.UsageMeter.Outcome outcome =
                    KeyAuthHandler.outcome(rc.response().getStatusCode());
            User partner = rc.get("keysmith.partner");
            java.util.UUID org = partner == null
                    ? null
                    : java.util.UUID.fromString(partner.principal().getString("organizationId"));
            if (partner != null) {
                meter.record(
                        org,
                        java.util.UUID.fromString(partner.attributes().getString("keyId")),
                        operationId,
                        outcome,
                        partnerAddress);
            }
            metrics.verification(org, outcome.name(), System.nanoTime() - start);
        });
        keys.fromAuthorization(rc.request().getHeader("Authorization"), partnerAddress, tags.getString(0))
                .onSuccess(user -> {
                    rc.put("keysmith.partner", user);
                    String org = user.principal().getString("organizationId");
                    if (gatewayOrg != null && !gatewayOrg.equals(org)) {
                        rc.fail(KeyAuthHandler.unauthenticated(
                                null, false)); // another organization's key: not valid here
                        return;
                    }
                    JsonArray keyTags = user.attributes().getJsonArray("apiTags", new JsonArray());
                    if (tags.stream().noneMatch(keyTags::contains)) {
                        rc.fail(new ApiProblem(
                                403,
                                "outside-api-type",
                                "Forbidden",
                                "This key's API type does not include this operation",
                                null));
                        return;
                    }
                    boolean needs = !permission.equals("public") && !permission.equals("authenticated");
                    if (needs
                            && !PermissionBasedAuthorization.create(permission).match(user)) {
                        rc.fail(new ApiProblem(
                                403,
                                "permission-missing",
                                "Forbidden",
                                "This needs the permission '" + permission + "'",
                                null));
                        return;
                    }
                    JsonArray permissions =
                            user.principal().getJsonObject("rights").getJsonArray("permissions", new JsonArray());
                    rc.response()
                            .putHeader("X-Keysmith-Key-Id", user.attributes().getString("keyId"))
                            .putHeader("X-Keysmith-Organization-Id", org)
                            .putHeader(
                                    "X-Keysmith-Permissions",
                                    permissions.stream().map(String::valueOf).collect(Collectors.joining(",")))
                            .putHeader("Cache-Control", "no-store")
                            .setStatusCode(200)
                            .end();
                })
                .onFailure(rc::fail);
    }

    private static MultiMap queryOf(String uri) {
        MultiMap params = MultiMap.caseInsensitiveMultiMap();
        new io.netty.handler.codec.http.QueryStringDecoder(uri).parameters().forEach(params::add);
        return params;
    }

    private boolean inGatewayCidrs(String address) {
        try {
            InetAddress a = InetAddress.getByAddress(Cidr.literalAddress(address));
            return gatewayCidrs.stream().anyMatch(c -> c.contains(a));
        } catch (Exception e) {
            return false;
        }
    }

    private static String first(String a, String b, String fallback) {
        return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : fallback;
    }
}
