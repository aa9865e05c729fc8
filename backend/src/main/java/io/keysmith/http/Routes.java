package io.keysmith.http;

import io.keysmith.accesslevels.AccessLevelHandlers;
import io.keysmith.audit.AuditHandlers;
import io.keysmith.auth.Guard;
import io.keysmith.auth.OperatorAuthentication;
import io.keysmith.auth.SessionAuthentication;
import io.keysmith.auth.SessionService;
import io.keysmith.auth.StepUp;
import io.keysmith.handoff.HandoffHandlers;
import io.keysmith.idempotency.Idempotency;
import io.keysmith.keys.ForwardAuthHandlers;
import io.keysmith.keys.KeyAuthHandler;
import io.keysmith.keys.KeyFormatHandlers;
import io.keysmith.keys.KeyHandlers;
import io.keysmith.keys.KeyOperations;
import io.keysmith.keys.KeyVerifier;
import io.keysmith.leaks.LeakHandlers;
import io.keysmith.leastprivilege.LeastPrivilegeHandlers;
import io.keysmith.ops.HealthHandlers;
import io.keysmith.organizations.OrganizationHandlers;
import io.keysmith.partners.PartnerHandlers;
import io.keysmith.people.PeopleHandlers;
import io.keysmith.signin.SecondFactorHandlers;
import io.keysmith.signin.SessionHandlers;
import io.keysmith.sso.SsoHandlers;
import io.keysmith.usage.UsageHandlers;
import io.keysmith.users.UserHandlers;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.APIKeyHandler;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.SimpleAuthenticationHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
            PeopleHandlers people,
            KeyHandlers keys,
            PartnerHandlers partners,
            ForwardAuthHandlers forwardAuth,
            UsageHandlers usage,
            io.keysmith.webhooks.WebhookHandlers webhooks,
            io.keysmith.notifications.NotificationHandlers notifications,
            io.keysmith.oauth.OAuthHandlers oauth,
            LeastPrivilegeHandlers leastPrivilege,
            HandoffHandlers handoffs,
            LeakHandlers leaks,
            SecondFactorHandlers secondFactors,
            SsoHandlers sso) {}

    /** How callers prove who they are, per security scheme of the contract. */
    public record Security(
            SessionAuthentication session,
            SessionService sessions,
            OperatorAuthentication operator,
            KeyAuthHandler keys,
            KeyOperations operations,
            Idempotency idempotency) {}

    /** Creating operations whose answer holds a secret shown once: never stored for an Idempotency-Key replay. */
    private static final Set<String> SECRET_BEARING =
            Set.of("createApiKey", "createWebhookEndpoint", "rotateWebhookEndpointSecret");

    /** Hot routes whose request check is written by hand (each has a test comparing it with the schema). */
    private static final Map<String, Handler<RoutingContext>> HAND_CHECKED =
            Map.of("verifyApiKey", io.keysmith.keys.VerifyRequestCheck.handler());

    private Routes() {}

    static Map<String, Handler<RoutingContext>> table(Handlers h) {
        Map<String, Handler<RoutingContext>> t = new LinkedHashMap<>();
        t.put("getLiveness", h.health()::live);
        t.put("getReadiness", h.health()::ready);
        t.put("checkKeyFormat", h.keyFormat()::check);
        t.put("signUp", h.organizations()::signUp);
        t.put("confirmSignUp", h.organizations()::confirmSignUp);
        t.put("createOrganizationAsOperator", h.organizations()::createAsOperator);
        t.put("signIn", h.sessions()::signIn);
        t.put("signOut", h.sessions()::signOut);
        t.put("getMe", h.sessions()::me);
        t.put("acceptInvitation", h.sessions()::acceptInvitation);
        t.put("completeSignIn", h.sessions()::completeSignIn);
        t.put("stepUp", h.sessions()::stepUp);
        t.put("getMySecondFactors", h.secondFactors()::status);
        t.put("listMyPasskeys", h.secondFactors()::listPasskeys);
        t.put("startPasskeyRegistration", h.secondFactors()::passkeyRegistrationOptions);
        t.put("registerPasskey", h.secondFactors()::registerPasskey);
        t.put("renamePasskey", h.secondFactors()::renamePasskey);
        t.put("removePasskey", h.secondFactors()::removePasskey);
        t.put("startPasskeySignIn", h.sessions()::passkeyOptions);
        t.put("signInWithPasskey", h.sessions()::signInWithPasskey);
        t.put("startPasskeyStepUp", h.sessions()::stepUpPasskeyOptions);
        t.put("startTotpEnrolment", h.secondFactors()::startTotp);
        t.put("confirmTotpEnrolment", h.secondFactors()::confirmTotp);
        t.put("removeTotp", h.secondFactors()::removeTotp);
        t.put("resetUserSecondFactors", h.secondFactors()::reset);
        t.put("getSignInPolicy", h.secondFactors()::policy);
        t.put("updateSignInPolicy", h.secondFactors()::savePolicy);
        t.put("listUsers", h.users()::list);
        t.put("createUser", h.users()::create);
        t.put("getUser", h.users()::get);
        t.put("updateUser", h.users()::update);
        t.put("deactivateUser", h.users()::deactivate);
        t.put("reactivateUser", h.users()::reactivate);
        t.put("createPasswordReset", h.users()::passwordReset);
        t.put("listAuditEvents", h.audit()::list);
        t.put("exportAuditEvents", h.audit()::export);
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
        t.put("listApiTypes", h.keys()::apiTypes);
        t.put("verifyApiKey", h.keys().verify());
        t.put("forwardAuth", h.forwardAuth().handler());
        t.put("getApiKeyUsage", h.usage()::key);
        t.put("getOrganizationUsage", h.usage()::organization);
        t.put("listMyApiKeys", h.keys()::listMine);
        t.put("createApiKey", h.keys()::create);
        t.put("listOrganizationApiKeys", h.keys()::listAll);
        t.put("exportOrganizationApiKeys", h.keys()::export);
        t.put("bulkChangeApiKeys", h.keys()::bulk);
        t.put("getApiKey", h.keys()::get);
        t.put("updateApiKey", h.keys()::update);
        t.put("disableApiKey", h.keys()::disable);
        t.put("enableApiKey", h.keys()::enable);
        t.put("revokeApiKey", h.keys()::revoke);
        t.put("rotateApiKey", h.keys()::rotate);
        t.put("transferApiKey", h.keys()::transfer);
        t.put("approveApiKey", h.keys()::approve); // governance (issue 20)
        t.put("denyApiKey", h.keys()::deny);
        t.put("listPartners", h.partners()::list);
        t.put("createPartner", h.partners()::create);
        t.put("getOrganizationPolicies", h.keys()::policies);
        t.put("updateOrganizationPolicies", h.keys()::savePolicies);
        t.put("listWebhookEndpoints", h.webhooks()::list);
        t.put("createWebhookEndpoint", h.webhooks()::create);
        t.put("getWebhookEndpoint", h.webhooks()::get);
        t.put("updateWebhookEndpoint", h.webhooks()::update);
        t.put("deleteWebhookEndpoint", h.webhooks()::delete);
        t.put("rotateWebhookEndpointSecret", h.webhooks()::rotate);
        t.put("testWebhookEndpoint", h.webhooks()::test);
        t.put("listWebhookDeliveries", h.webhooks()::deliveries);
        t.put("replayWebhookDelivery", h.webhooks()::replay);
        t.put("listNotifications", h.notifications()::list);
        t.put("markNotificationsRead", h.notifications()::markRead);
        t.put("requestAccessToken", h.oauth()::token);
        t.put("introspectAccessToken", h.oauth()::introspect);
        t.put("revokeAccessToken", h.oauth()::revoke);
        t.put("getJsonWebKeySet", h.oauth()::jwks);
        t.put("getAuthorizationServerMetadata", h.oauth()::metadata);
        t.put("getApiKeyLeastPrivilege", h.leastPrivilege()::key);
        t.put("shadowApiKeyPermissions", h.leastPrivilege()::shadow);
        t.put("reduceApiKeyToUsed", h.leastPrivilege()::reduce);
        t.put("undoApiKeyReduction", h.leastPrivilege()::undo);
        t.put("getOrganizationLeastPrivilege", h.leastPrivilege()::organization);
        t.put("createHandoff", h.handoffs()::create);
        t.put("listKeyHandoffs", h.handoffs()::list);
        t.put("withdrawHandoff", h.handoffs()::withdraw);
        t.put("getHandoffState", h.handoffs()::state);
        t.put("revealHandoff", h.handoffs()::reveal);
        t.put("reportGitHubSecretScanning", h.leaks()::github);
        t.put("revokeCredentials", h.leaks()::revoke);
        t.put("getSsoSettings", h.sso()::settings);
        t.put("updateSsoSettings", h.sso()::saveSettings);
        t.put("startSso", h.sso()::start);
        t.put("completeSso", h.sso()::complete);
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

    /** The hot routes' operations: served by {@link FastPath} on their exact path, with the same handler chain. */
    static final Set<String> HOT = Set.of("verifyApiKey", "forwardAuth");

    /**
     * A hot operation as the raw path runs it: its body limit, then the steps its route runs after the body
     * (authentication, guard, check, handler), the same objects.
     */
    record Chain(Operation operation, long bodyLimit, List<Exchange.Step> steps) {}

    /** The router of every operation, and the chains of the hot ones for the fast path. */
    public record Built(Router router, Map<String, Chain> hot) {}

    /**
     * Whether the raw path can run an operation exactly as its route does: every step after the body written for
     * both paths, no session to authenticate (vertx-web's), no path parameters. Else it stays routed.
     */
    private static boolean rawEligible(Operation op, List<Handler<RoutingContext>> chain, KeyOperations.Rule rule) {
        boolean steps = chain.subList(1, chain.size()).stream().allMatch(h -> h instanceof Exchange.Step);
        boolean noPathParameters =
                op.getParameters().stream().noneMatch(p -> p.getIn() == io.vertx.openapi.contract.Location.PATH);
        return steps && noPathParameters && (rule == null || !rule.acceptsSession());
    }

    public static Built build(
            Vertx vertx, OpenAPIContract contract, Handlers handlers, Security security, long bodyLimit) {
        Map<String, Handler<RoutingContext>> table = table(handlers);
        Set<String> missing = unbound(contract, table.keySet());
        if (!missing.isEmpty()) {
            throw new IllegalStateException("openapi.yaml operations without a handler: " + missing);
        }
        RequestValidation validation = new RequestValidation(contract);
        RouterBuilder rb = RouterBuilder.create(vertx, contract);
        // Authentication per operation, from its security declaration, by our handlers: vertx-openapi's would chain a
        // session handler in front of every "session or key" operation and answer 401 before a key is looked at.
        Handler<RoutingContext> sessionAuth =
                APIKeyHandler.create(security.session()).cookie(SessionService.COOKIE);
        // RouterBuilder's public API offers Basic, Digest and JWT handlers for http schemes only, so the operator's
        // opaque bearer token is authenticated by our own handler on the routes that declare it
        Handler<RoutingContext> operatorAuth =
                SimpleAuthenticationHandler.create().authenticate(security.operator()::authenticate);
        JsonObject paths = contract.getRawContract().getJsonObject("paths");
        Map<String, Chain> hot = new LinkedHashMap<>();
        table.forEach((operationId, handler) -> {
            OpenAPIRoute route = rb.getRoute(operationId);
            if (route == null) {
                throw new IllegalStateException("Route table names " + operationId + ", which openapi.yaml lacks");
            }
            Operation op = route.getOperation();
            JsonObject raw = paths.getJsonObject(op.getOpenAPIPath())
                    .getJsonObject(op.getHttpMethod().name().toLowerCase());
            JsonObject spec =
                    raw.copy().put("security", raw.getJsonArray("x-security", new io.vertx.core.json.JsonArray()));
            boolean operator =
                    spec.getJsonArray("security").stream().anyMatch(r -> ((JsonObject) r).containsKey("operator"));
            boolean keys = spec.getJsonArray("security").stream()
                    .anyMatch(
                            r -> ((JsonObject) r).containsKey("keyBasic") || ((JsonObject) r).containsKey("keyBearer"));
            boolean session =
                    spec.getJsonArray("security").stream().anyMatch(r -> ((JsonObject) r).containsKey("session"));
            boolean gateway =
                    spec.getJsonArray("security").stream().anyMatch(r -> ((JsonObject) r).containsKey("gatewayKey"));
            route.setDoSecurity(false); // no handlers are registered with the builder: it adds none
            List<Handler<RoutingContext>> chain = new ArrayList<>();
            // the operation's own body limit, first: an oversized body is refused from Content-Length (or as its
            // bytes arrive) with 413, before authentication and before anything is parsed
            long limit = BodyLimits.of(raw, bodyLimit);
            chain.add(BodyHandler.create(false).setBodyLimit(limit));
            if (gateway) {
                chain.add(handlers.forwardAuth().statusHeaders());
                chain.add(handlers.forwardAuth().gatewayAuthentication());
            } else if (operator) {
                chain.add(operatorAuth);
            } else if (keys) {
                // one handler for "session or key", so a key failure never answers with a session challenge; a key
                // is decided whole there (API type, permission, rate limit: the verifier's answer, as forward-auth's)
                chain.add(security.keys().forOperation(security.operations().rule(operationId)));
            } else if (session) {
                chain.add(sessionAuth);
            }
            Handler<RoutingContext> guard = Guard.forOperation(spec, op.getHttpMethod(), security.sessions());
            String required = Guard.requiredPermission(spec);
            // authentication runs first, then the guard (skipped for a key: the verifier authorized it already); on
            // the raw path no session or vertx-auth user exists, so the guard decides as it does for no user
            chain.add((Exchange.Step) x -> {
                if (x.get(KeyVerifier.VERIFIED) != null) {
                    x.next();
                } else if (x instanceof Exchange.Routed r) {
                    guard.handle(r.rc());
                } else if (required == null) {
                    x.next();
                } else {
                    throw io.keysmith.errors.Forbidden.missing(required);
                }
            });
            // validators compiled once per operation replace vertx-openapi's per-request ones; the hottest routes
            // have hand-written checks proven equal to the schema (ADR 0004)
            chain.add(HAND_CHECKED.getOrDefault(operationId, validation.forOperation(operationId)));
            // sudo mode where the contract marks it (x-step-up): after validation, so a bad body is a 400 first
            Handler<RoutingContext> stepUp = StepUp.forOperation(raw, java.time.Clock.systemUTC());
            if (stepUp != null) {
                chain.add(stepUp);
            }
            // Idempotency-Key where the contract declares it: after every check, so a refused request claims no key
            boolean idempotent = op.getParameters().stream()
                    .anyMatch(p -> p.getIn() == io.vertx.openapi.contract.Location.HEADER
                            && p.getName().equalsIgnoreCase(Idempotency.HEADER));
            if (idempotent) {
                chain.add(security.idempotency().forOperation(operationId, SECRET_BEARING.contains(operationId)));
            }
            chain.add(handler);
            route.setDoValidation(false);
            chain.forEach(route::addHandler);
            if (HOT.contains(operationId)
                    && rawEligible(op, chain, security.operations().rule(operationId))) {
                List<Exchange.Step> steps = new ArrayList<>();
                chain.subList(1, chain.size()).forEach(h -> steps.add((Exchange.Step) h));
                hot.put(operationId, new Chain(op, limit, List.copyOf(steps)));
            }
        });
        return new Built(rb.createRouter(), Map.copyOf(hot));
    }
}
